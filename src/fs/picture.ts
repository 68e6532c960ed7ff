/** Reading pictures in Node (sharp): files and encoded bytes to RGB pixels, checked against the picture limits first; the Node platform's decoder. */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { FerkitError } from '../core/errors.js';
import { isRawImage, rawToRgb, type ImageInput, type ImageSource, type RgbImage } from '../core/image/pixels.js';
import { wholeFaceInput } from '../core/image/preprocess.js';
import { sniffFormat, SNIFF_BYTES } from '../core/image/sniff.js';
import {
  formatList,
  whatToSend,
  pictureLimits,
  pictureProblem,
  type PictureHeader,
  type PictureLimitOptions,
  type PictureLimits,
} from '../core/image/limits.js';

export type { ImageInput, ImageSource } from '../core/image/pixels.js';

/** A short name of an input for messages. */
export function describeInput(input: ImageInput): string {
  if (typeof input === 'string') return input;
  if (isRawImage(input)) return `raw ${input.width}x${input.height} image`;
  return `${input.length}-byte image buffer`;
}

export { DEFAULT_MAX_PIXELS } from '../core/image/limits.js';

/**
 * The limits a picture must meet before it is decoded (src/core/image/limits.ts):
 * `maxPixels` (default 40 million), `maxDecodedBytes` (default 8 bytes per
 * pixel of maxPixels: 320 MB), `maxSide` (65,535), `maxAspectRatio` (100)
 * and the `formats` read (default JPEG, PNG, WebP, TIFF, GIF and AVIF).
 */
export type DecodeOptions = PictureLimitOptions;

/**
 * Decodes any input to RGB: EXIF orientation applied, alpha dropped, grey,
 * CMYK and palette images converted to sRGB, first frame of a GIF or TIFF.
 * The picture's format, sides, samples per pixel and decoded size are
 * checked against `options` from its header before anything is decoded
 * (`checkedPicture`), so what it costs is bounded by the limits, not by
 * what its header claims.
 */
export async function loadRgb(input: ImageInput, options: DecodeOptions = {}): Promise<RgbImage> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array) && !isRawImage(input)) {
    throw new FerkitError(
      'BAD_ARGUMENT',
      `cannot read a picture from ${input === null ? 'null' : typeof input}; pass a file path, encoded image bytes or raw pixels`,
    );
  }
  if (isRawImage(input)) return rawToRgb(input);
  const where = typeof input === 'string' ? { file: input } : {};
  const limits = pictureLimits(options);
  await checkedPicture(input, limits);
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: Math.max(1, Math.floor(limits.pixels)), pages: 1 })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw cannotDecode(describeInput(input), (err as Error).message ?? String(err), limits, where, err);
  }
}

function cannotDecode(name: string, why: string, limits: PictureLimits, where: { file?: string }, cause?: unknown): FerkitError {
  return new FerkitError('BAD_IMAGE', `${name}: cannot decode image (${why.length > 160 ? `${why.slice(0, 160)}...` : why}); ${whatToSend(limits.formats)}`, {
    ...where,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A picture's header (a file or encoded bytes), checked against the limits
 * (src/core/image/limits.ts) without decoding it: a FerkitError BAD_IMAGE names
 * the picture, what is wrong and what to do (the option to raise, where one
 * would let it through). The one check every entry (library, command line,
 * service, queue workers) makes before decoding. `name` names the picture
 * in messages (default: its path, or its size in bytes).
 */
export async function checkedPicture(input: ImageSource, limits: PictureLimits | DecodeOptions = {}, name?: string): Promise<PictureHeader> {
  const l = 'decodedBytes' in limits ? limits : pictureLimits(limits);
  const where = typeof input === 'string' ? { file: input } : name === undefined ? {} : { file: name };
  const label = name ?? describeInput(input);
  if (typeof input === 'string') {
    const st = await stat(input).catch(() => undefined);
    if (!st) throw new FerkitError('DATA_NOT_FOUND', `${input}: no such file; pass the path of a picture (${formatList(l.formats, 'or')})`, where);
    if (!st.isFile()) throw new FerkitError('DATA_NOT_FOUND', `${input} is not a file; pass the path of a picture, or list the pictures of a folder`, where);
  }
  const header = await probePicture(input);
  if (!header) throw cannotDecode(label, 'not a picture ferkit knows', l, where);
  const problem = pictureProblem(header, l);
  if (problem) {
    const raise = problem.option && problem.option !== 'formats' ? ` or raise ${problem.option}` : '';
    throw new FerkitError('BAD_IMAGE', `${label}: ${problem.message}${problem.kind === 'size' ? raise : ''}`, {
      ...where,
      ...(problem.option ? { options: [problem.option] } : {}),
    });
  }
  return header;
}

/** Bytes per decoded sample, by libvips' band format. */
const SAMPLE_BYTES: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, complex: 8, double: 8, dpcomplex: 16 };

/**
 * A picture's header (bytes or a file), without decoding it and without a
 * limit: its format (`avif` for AVIF; `heic`, `svg`, `pdf` and others named
 * to be refused), its size (EXIF orientation applied), its samples per pixel
 * and their bytes as decoded. A decompression bomb is measured, not opened.
 * Undefined for what is no picture.
 */
export async function probePicture(bytes: Uint8Array | string): Promise<PictureHeader | undefined> {
  try {
    // only bytes with the signature of a format ferkit reads reach a decoder: libvips' other
    // parsers (SVG, PDF, ...) never see untrusted input (a malformed SVG parsed twice at once
    // crashed the process in sharp 0.34.5)
    const sniffed = sniffFormat(typeof bytes === 'string' ? await fileHead(bytes) : bytes.subarray(0, SNIFF_BYTES));
    if (!sniffed) return undefined;
    if (sniffed === 'svg' || sniffed === 'pdf') return { format: sniffed, width: 0, height: 0, channels: 0, bytesPerSample: 0 };
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.format) return undefined;
    // AVIF and HEIC share a container; ferkit reads AVIF only
    const format = meta.format === 'heif' ? (meta.compression === 'av1' ? 'avif' : 'heic') : meta.format;
    return {
      format,
      width: meta.autoOrient?.width ?? meta.width ?? 0,
      height: meta.autoOrient?.height ?? meta.height ?? 0,
      channels: meta.channels ?? 0,
      // an unknown sample type counts as the widest
      bytesPerSample: SAMPLE_BYTES[meta.depth ?? ''] ?? 16,
    };
  } catch {
    return undefined;
  }
}

/** The first SNIFF_BYTES bytes of a file (fewer when it is shorter). */
async function fileHead(path: string): Promise<Uint8Array> {
  // never blocks: a FIFO put in a file's place between the check and this read answers at once
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Decodes a picture of one face (a FER2013 image, a crop) to the model's
 * input, 48x48 grey bytes, by the path the recognizer takes with detection
 * off: the same pixels whether the face is read for training, evaluation
 * or recognition.
 */
export async function decodeFace(src: ImageSource): Promise<Uint8Array> {
  return wholeFaceInput(await loadRgb(src));
}
