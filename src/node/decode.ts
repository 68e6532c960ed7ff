/** Decoding pictures in Node (sharp): files and encoded bytes to RGB pixels. */
import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { FerkitError } from '../errors.js';
import { isRawImage, rawToRgb, type RawImage, type RgbImage } from '../image/pixels.js';
import { wholeFaceInput } from '../image/preprocess.js';
import { sniffFormat, SNIFF_BYTES } from '../image/sniff.js';

/** What the Node recognizer accepts: a file path, encoded image bytes, or raw pixels. */
export type ImageInput = string | Buffer | Uint8Array | RawImage;

/** Encoded image bytes or a file path. */
export type ImageSource = string | Buffer | Uint8Array;

/** A short name of an input for messages. */
export function describeInput(input: ImageInput): string {
  if (typeof input === 'string') return input;
  if (isRawImage(input)) return `raw ${input.width}x${input.height} image`;
  return `${input.length}-byte image buffer`;
}

/**
 * The default largest picture, in pixels (width x height), checked from the
 * header before decoding: 40 million, a 40 MP photo. Decoding one takes
 * about 120 MB for its RGB pixels; `maxPixels` changes it.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** The formats ferkit reads (sharp's names); AVIF is `heif` with AV1 compression. Anything else (SVG, PDF, ...) is refused. */
const READ_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'heif']);

export interface DecodeOptions {
  /** Largest picture in pixels, checked from its header before decoding. Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
}

/**
 * Decodes any input to RGB: EXIF orientation applied, alpha dropped, grey,
 * CMYK and palette images converted to sRGB, first frame of a GIF or TIFF.
 * Only JPEG, PNG, WebP, TIFF, GIF and AVIF are read, and only up to
 * `maxPixels`, both checked from the header before anything is decoded.
 */
export async function loadRgb(input: ImageInput, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (typeof input !== 'string' && !(input instanceof Uint8Array) && !isRawImage(input)) {
    throw new FerkitError(
      'BAD_ARGUMENT',
      `cannot read a picture from ${input === null ? 'null' : typeof input}; pass a file path, encoded image bytes or raw pixels`,
    );
  }
  if (isRawImage(input)) return rawToRgb(input);
  if (typeof input === 'string') {
    const st = await stat(input).catch(() => undefined);
    if (!st)
      throw new FerkitError('DATA_NOT_FOUND', `${input}: no such file; pass the path of a picture (JPEG, PNG, WebP, TIFF, GIF or AVIF)`, { file: input });
    if (!st.isFile())
      throw new FerkitError('DATA_NOT_FOUND', `${input} is not a file; pass the path of a picture, or list the pictures of a folder`, { file: input });
  }
  const where = typeof input === 'string' ? { file: input } : {};
  const header = await probePicture(input);
  if (header && !READ_FORMATS.has(header.format)) {
    throw new FerkitError(
      'BAD_IMAGE',
      `${describeInput(input)}: ${header.format.toUpperCase()} is not read; ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF`,
      where,
    );
  }
  if (header && header.width * header.height > maxPixels) {
    throw new FerkitError(
      'BAD_IMAGE',
      `${describeInput(input)}: a picture of ${header.width}x${header.height} pixels is over the limit of ${maxPixels.toLocaleString('en-US')} pixels; scale it down or raise maxPixels`,
      { ...where, options: ['maxPixels'] },
    );
  }
  try {
    if (!header) throw new Error('not a picture ferkit knows');
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: Math.max(1, Math.floor(maxPixels)) })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    throw new FerkitError(
      'BAD_IMAGE',
      `${describeInput(input)}: cannot decode image (${message.length > 160 ? `${message.slice(0, 160)}...` : message}); ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF`,
      { ...where, cause: err },
    );
  }
}

/**
 * A picture's format and size (EXIF orientation applied) from its header
 * alone (bytes or a file), without decoding it and without a pixel limit: a
 * decompression bomb is measured, not opened. Undefined for what is no picture.
 */
export async function probePicture(bytes: Uint8Array | string): Promise<{ format: string; width: number; height: number } | undefined> {
  try {
    // only bytes with the signature of a format ferkit reads reach a decoder: libvips' other
    // parsers (SVG, PDF, ...) never see untrusted input (a malformed SVG parsed twice at once
    // crashed the process in sharp 0.34.5)
    const sniffed = sniffFormat(typeof bytes === 'string' ? await fileHead(bytes) : bytes.subarray(0, SNIFF_BYTES));
    if (!sniffed) return undefined;
    if (sniffed === 'svg' || sniffed === 'pdf') return { format: sniffed, width: 0, height: 0 };
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.format) return undefined;
    // AVIF and HEIC share a container; ferkit reads AVIF only
    const format = meta.format === 'heif' && meta.compression !== 'av1' ? 'heic' : meta.format;
    return { format, width: meta.autoOrient?.width ?? meta.width ?? 0, height: meta.autoOrient?.height ?? meta.height ?? 0 };
  } catch {
    return undefined;
  }
}

/** The first SNIFF_BYTES bytes of a file (fewer when it is shorter). */
async function fileHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
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
