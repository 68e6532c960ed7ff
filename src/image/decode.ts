import sharp from 'sharp';
import { FerkitError } from '../errors.js';

/** Encoded image bytes or a file path. */
export type ImageSource = string | Buffer | Uint8Array;

/**
 * Decodes an image (JPEG, PNG, WebP, TIFF, GIF first frame, ...) to grey
 * `size` x `size` bytes: EXIF orientation applied, converted to grey
 * (luminance), resized to fill the square (faces are assumed cropped).
 */
export async function decodeGrey(src: ImageSource, size = 48, name?: string): Promise<Uint8Array> {
  const label = name ?? (typeof src === 'string' ? src : 'image buffer');
  try {
    const { data, info } = await sharp(src, { failOn: 'error' })
      .rotate()
      .greyscale()
      .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 1) return new Uint8Array(data.buffer, data.byteOffset, data.length);
    // greyscale output can keep an alpha channel: take the first channel
    const out = new Uint8Array(size * size);
    for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels];
    return out;
  } catch (err) {
    throw new FerkitError('BAD_IMAGE', `${label}: cannot decode image (${(err as Error).message}). Is it a JPEG, PNG, WebP, TIFF or GIF file?`, {
      ...(typeof src === 'string' ? { file: src } : {}),
      cause: err,
    });
  }
}
