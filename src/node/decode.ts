/** Decoding pictures in Node (sharp): files and encoded bytes to RGB pixels. */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { FerkitError } from '../errors.js';
import { isRawImage, rawToRgb, type RawImage, type RgbImage } from '../image/pixels.js';
import { wholeFaceInput } from '../image/preprocess.js';

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
 * Decodes any input to RGB: EXIF orientation applied, alpha dropped, grey,
 * CMYK and palette images converted to sRGB, first frame of a GIF or TIFF.
 */
export async function loadRgb(input: ImageInput): Promise<RgbImage> {
  if (isRawImage(input)) return rawToRgb(input);
  if (typeof input === 'string') {
    const st = await stat(input).catch(() => undefined);
    if (!st)
      throw new FerkitError('DATA_NOT_FOUND', `${input}: no such file; pass the path of a picture (JPEG, PNG, WebP, TIFF, GIF or AVIF)`, { file: input });
    if (!st.isFile())
      throw new FerkitError('DATA_NOT_FOUND', `${input} is not a file; pass the path of a picture, or list the pictures of a folder`, { file: input });
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
    throw new FerkitError(
      'BAD_IMAGE',
      `${describeInput(input)}: cannot decode image (${(err as Error).message}); ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF`,
      {
        ...(typeof input === 'string' ? { file: input } : {}),
        cause: err,
      },
    );
  }
}

/**
 * A picture's format and size (EXIF orientation applied) from its header
 * alone, without decoding it and without a pixel limit: a decompression
 * bomb is measured, not opened. Undefined for bytes that are no picture.
 */
export async function probePicture(bytes: Uint8Array): Promise<{ format: string; width: number; height: number } | undefined> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.format) return undefined;
    return { format: meta.format, width: meta.autoOrient?.width ?? meta.width ?? 0, height: meta.autoOrient?.height ?? meta.height ?? 0 };
  } catch {
    return undefined;
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
