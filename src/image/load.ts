import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { FerkitError } from '../errors.js';

/** Raw pixels handed to ferkit directly: RGB or RGBA (or grey), row-major. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray | Buffer;
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA); default: inferred from the data length. */
  channels?: 1 | 3 | 4;
}

/** What the recognizer accepts: a file path, encoded image bytes, or raw pixels. */
export type ImageInput = string | Buffer | Uint8Array | RawImage;

/** A decoded image: 8-bit RGB, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export function isRawImage(input: ImageInput): input is RawImage {
  return typeof input === 'object' && !(input instanceof Uint8Array) && 'width' in input && 'height' in input && 'data' in input;
}

/** A short name of an input for messages. */
export function describeInput(input: ImageInput): string {
  if (typeof input === 'string') return input;
  if (isRawImage(input)) return `raw ${input.width}x${input.height} image`;
  return `${input.length}-byte image buffer`;
}

/**
 * Decodes any input to RGB: EXIF orientation applied, alpha dropped, grey,
 * CMYK and palette images converted to sRGB, first frame of a GIF or TIFF.
 */
export async function loadRgb(input: ImageInput): Promise<RgbImage> {
  if (isRawImage(input)) {
    const { width, height } = input;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new FerkitError('BAD_IMAGE', `raw image size ${width}x${height} is not valid; width and height must be positive integers`);
    }
    const channels = input.channels ?? input.data.length / (width * height);
    if (![1, 3, 4].includes(channels) || input.data.length !== width * height * channels) {
      throw new FerkitError('BAD_IMAGE', `raw image data has ${input.data.length} bytes; a ${width}x${height} image needs ${width * height * 3} (RGB) or ${width * height * 4} (RGBA)`);
    }
    const data = new Uint8Array(width * height * 3);
    const src = input.data;
    for (let i = 0; i < width * height; i++) {
      if (channels === 1) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = src[i];
      else for (let c = 0; c < 3; c++) data[i * 3 + c] = src[i * channels + c];
    }
    return { data, width, height };
  }
  if (typeof input === 'string') {
    const st = await stat(input).catch(() => undefined);
    if (!st) throw new FerkitError('DATA_NOT_FOUND', `${input}: no such file; pass the path of a picture (JPEG, PNG, WebP, TIFF, GIF or AVIF)`, { file: input });
    if (!st.isFile()) throw new FerkitError('DATA_NOT_FOUND', `${input} is not a file; pass the path of a picture, or list the pictures of a folder`, { file: input });
  }
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: 268_402_689 })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw new FerkitError('BAD_IMAGE', `${describeInput(input)}: cannot decode image (${(err as Error).message}); ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF`, {
      ...(typeof input === 'string' ? { file: input } : {}),
      cause: err,
    });
  }
}

/** ITU-R BT.601 luminance of an RGB image, as floats 0..255. Pure. */
export function toGrey(img: RgbImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 3] + 0.587 * d[i * 3 + 1] + 0.114 * d[i * 3 + 2];
  return out;
}
