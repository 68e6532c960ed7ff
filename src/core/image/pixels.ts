/** Decoded pictures as ferkit passes them around, and pure conversions between them. */
import { FerkitError } from '../errors.js';

/** Raw pixels handed to ferkit directly: RGB or RGBA (or grey), row-major. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA); default: inferred from the data length. */
  channels?: 1 | 3 | 4;
}

/** A decoded image: 8-bit RGB, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Whether a value is raw pixels with their size (rather than encoded bytes or a path). */
export function isRawImage(input: unknown): input is RawImage {
  return typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && 'width' in input && 'height' in input && 'data' in input;
}

/** Raw grey, RGB or RGBA pixels as RGB, after checking their size. Pure. */
export function rawToRgb(input: RawImage): RgbImage {
  const { width, height } = input;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new FerkitError('BAD_IMAGE', `raw image size ${width}x${height} is not valid; width and height must be positive integers`);
  }
  const channels = input.channels ?? input.data.length / (width * height);
  if (![1, 3, 4].includes(channels) || input.data.length !== width * height * channels) {
    throw new FerkitError(
      'BAD_IMAGE',
      `raw image data has ${input.data.length} bytes; a ${width}x${height} image needs ${width * height * 3} (RGB) or ${width * height * 4} (RGBA)`,
    );
  }
  const data = new Uint8Array(width * height * 3);
  const src = input.data;
  for (let i = 0; i < width * height; i++) {
    if (channels === 1) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = src[i];
    else for (let c = 0; c < 3; c++) data[i * 3 + c] = src[i * channels + c];
  }
  return { data, width, height };
}

/** ITU-R BT.601 luminance of an RGB image, as floats 0..255. Pure. */
export function toGrey(img: RgbImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 3] + 0.587 * d[i * 3 + 1] + 0.114 * d[i * 3 + 2];
  return out;
}

/** A picture as ferkit's Node functions take it: a file path, encoded image bytes (a Buffer is one), or raw pixels. */
export type ImageInput = string | Uint8Array | RawImage;

/** Encoded image bytes or a file path. */
export type ImageSource = string | Uint8Array;
