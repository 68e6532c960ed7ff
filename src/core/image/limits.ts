/**
 * What a picture may cost to decode, judged from its header alone, before
 * any decoder allocates a pixel: its format, its sides, the ratio of its
 * sides, its samples per pixel and the bytes its decoded samples take. The
 * library, the command line, the service and the queue workers all judge a
 * picture by `pictureProblem`. Pure and platform-neutral.
 */

/** The formats ferkit reads. */
export const PICTURE_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif'] as const;
export type PictureFormat = (typeof PICTURE_FORMATS)[number];

/** The formats the service and the queue workers read from their clients: the formats browsers send. */
export const SERVICE_FORMATS: readonly PictureFormat[] = ['jpeg', 'png', 'webp'];

/** The default largest picture, in pixels (width x height): 40 million, a 40 MP photo. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/**
 * Decoded bytes allowed per pixel of the pixel limit: 8, four samples of 16
 * bits (an RGBA PNG of 16 bits), so that any ordinary picture within the
 * pixel limit passes and nothing decodes to more.
 */
export const DECODED_BYTES_PER_PIXEL = 8;

/** The default longest side: 65,535 pixels, JPEG's own limit. Decoding cost grows with the rows, so a strip of millions of rows is refused here. */
export const DEFAULT_MAX_SIDE = 65_535;

/** The default largest ratio of the longer side to the shorter: 100 (a 1:100 strip holds no face ferkit can read). */
export const DEFAULT_MAX_ASPECT_RATIO = 100;

/** The most samples (channels) per pixel ferkit reads: 5, CMYK with alpha. */
export const MAX_SAMPLES_PER_PIXEL = 5;

/** What a picture's header says, as the decoder will see it. */
export interface PictureHeader {
  /** The format's name: one of PICTURE_FORMATS, or another (`svg`, `heic`, ...) to be refused. */
  format: string;
  /** Sides in pixels, as displayed (EXIF orientation applied); of the first page or frame, the only one decoded. */
  width: number;
  height: number;
  /** Samples (channels) per pixel as decoded: 1 grey, 3 RGB, 4 RGBA or CMYK, ... */
  channels: number;
  /** Bytes per decoded sample: 1 for 8 bits, 2 for 16, 4 for 32-bit and float samples. */
  bytesPerSample: number;
}

/** The limits a picture must meet before it is decoded. */
export interface PictureLimits {
  /** Largest width x height. */
  pixels: number;
  /** Largest width x height x samples per pixel x bytes per sample. */
  decodedBytes: number;
  /** Longest side, in pixels. */
  side: number;
  /** Largest ratio of the longer side to the shorter. */
  aspectRatio: number;
  /** The formats read. */
  formats: readonly PictureFormat[];
}

/** The options that set PictureLimits, by their library names; each defaults as documented on its constant. */
export interface PictureLimitOptions {
  /** Largest picture in pixels (width x height). Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
  /** Largest decoded size in bytes (width x height x samples x bytes per sample). Default DECODED_BYTES_PER_PIXEL x maxPixels. */
  maxDecodedBytes?: number;
  /** Longest side in pixels. Default DEFAULT_MAX_SIDE. */
  maxSide?: number;
  /** Largest ratio of the longer side to the shorter. Default DEFAULT_MAX_ASPECT_RATIO. */
  maxAspectRatio?: number;
  /** The formats read. Default all of PICTURE_FORMATS. */
  formats?: readonly PictureFormat[];
}

/** The limits the options ask for, each missing one at its default. */
export function pictureLimits(options: PictureLimitOptions = {}): PictureLimits {
  const pixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  return {
    pixels,
    decodedBytes: options.maxDecodedBytes ?? DECODED_BYTES_PER_PIXEL * pixels,
    side: options.maxSide ?? DEFAULT_MAX_SIDE,
    aspectRatio: options.maxAspectRatio ?? DEFAULT_MAX_ASPECT_RATIO,
    formats: options.formats ?? PICTURE_FORMATS,
  };
}

/**
 * Why a picture is refused: `format`, a format not read; `size`, over a
 * limit (scaling it down helps); `content`, a header that says nothing
 * usable (no size, too many samples per pixel).
 */
export interface PictureProblem {
  kind: 'format' | 'size' | 'content';
  /** What is wrong and what to do, without the picture's name. */
  message: string;
  /** The option (PictureLimitOptions' name) that would let the picture through, where raising one would. */
  option?: keyof PictureLimitOptions;
}

const NAMES: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', tiff: 'TIFF', gif: 'GIF', avif: 'AVIF' };

/** "JPEG, PNG and WebP" (or "JPEG, PNG or WebP"). */
export function formatList(formats: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  const names = formats.map((f) => NAMES[f] ?? f.toUpperCase());
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/** What to do about a format that is not read: "ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF", or for fewer, "send JPEG, PNG or WebP". */
export function whatToSend(formats: readonly string[]): string {
  return PICTURE_FORMATS.every((f) => formats.includes(f)) ? `ferkit reads ${formatList(formats)}` : `send ${formatList(formats, 'or')}`;
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: bytes < 2 ** 20 ? 3 : 0 })} MiB`;

/**
 * What in a picture's size (its longest side, its aspect ratio, its pixels)
 * is over `limits`, or undefined. Pure; `pictureProblem` checks it, and a
 * browser, whose pictures are decoded already, checks only this.
 */
export function sizeProblem(width: number, height: number, limits: Pick<PictureLimits, 'pixels' | 'side' | 'aspectRatio'>): PictureProblem | undefined {
  const size = `a picture of ${width}x${height} pixels`;
  if (Math.max(width, height) > limits.side) {
    return { kind: 'size', message: `${size} is longer than ${limits.side.toLocaleString('en-US')} pixels on a side; scale it down`, option: 'maxSide' };
  }
  if (Math.max(width, height) / Math.min(width, height) > limits.aspectRatio) {
    return { kind: 'size', message: `${size} is narrower than 1:${limits.aspectRatio}; crop it to the part that shows faces`, option: 'maxAspectRatio' };
  }
  if (width * height > limits.pixels) {
    return { kind: 'size', message: `${size} is over the limit of ${limits.pixels.toLocaleString('en-US')} pixels; scale it down`, option: 'maxPixels' };
  }
  return undefined;
}

/** What stops a picture of this header from being decoded under `limits`, or undefined when nothing does. Pure. */
export function pictureProblem(header: PictureHeader, limits: PictureLimits): PictureProblem | undefined {
  const { format, width, height, channels, bytesPerSample } = header;
  if (!(limits.formats as readonly string[]).includes(format)) {
    return {
      kind: 'format',
      message: `${NAMES[format] ?? format.toUpperCase()} is not read; ${whatToSend(limits.formats)}`,
      option: 'formats',
    };
  }
  if (!(Number.isSafeInteger(width) && Number.isSafeInteger(height) && width > 0 && height > 0)) {
    return { kind: 'content', message: `its header gives no size (${width}x${height}); the file is damaged` };
  }
  const tooBig = sizeProblem(width, height, limits);
  if (tooBig) return tooBig;
  const size = `a picture of ${width}x${height} pixels`;
  if (!(Number.isSafeInteger(channels) && channels >= 1 && channels <= MAX_SAMPLES_PER_PIXEL)) {
    return {
      kind: 'content',
      message: `${size} with ${channels} samples per pixel is not read; ferkit reads 1 to ${MAX_SAMPLES_PER_PIXEL} (grey, RGB or CMYK, with alpha). Save it as an ordinary RGB picture`,
    };
  }
  const bytes = width * height * channels * bytesPerSample;
  if (!(bytes <= limits.decodedBytes)) {
    return {
      kind: 'size',
      message: `${size} of ${channels} samples of ${bytesPerSample * 8} bits decodes to ${megabytes(bytes)}, over the limit of ${megabytes(limits.decodedBytes)}; scale it down or save it with 8-bit samples`,
      option: 'maxDecodedBytes',
    };
  }
  return undefined;
}
