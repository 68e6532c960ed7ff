/**
 * The pictures `npm run bench` (bench/all.ts and bench/all-child.ts)
 * measures on: the one-face and six-face 640x480 pictures, and the photos
 * its clip of moving faces is made of.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, SHARED_DATA } from '../test/fixtures.js';

/** The two 640x480 test pictures: one face (shipped with ferkit) and six faces (the shared photos). */
export const PHOTOS = [
  { name: 'one face', file: join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg') },
  { name: 'six faces', file: join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt4.jpg') },
] as const;

/** The folder of the shared photos the clip of moving faces is made of. */
export const FACE_PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');

/**
 * Photos for the clip of moving faces, one to six faces each: single faces of
 * every emotion between the five group photos; at 1.5 s each, 19.5 s of video.
 */
export const CLIP_PHOTOS = [
  'happy.jpg',
  'bbt1.jpg',
  'surprised.jpg',
  'sad.jpg',
  'bbt4.jpg',
  'angry.jpg',
  'bbt2.jpg',
  'disgusted.jpg',
  'fearful.jpg',
  'bbt3.jpg',
  'neutral.jpg',
  'bbt5.jpg',
  'surprised_cropped.jpg',
].map((f) => join(FACE_PHOTOS, f));

/** A test picture as PNG bytes, resized to cover 640x480 as bench:recognize does; undefined when the file is absent. */
export async function photoPng(file: string): Promise<Buffer | undefined> {
  if (!existsSync(file)) return undefined;
  const { default: sharp } = await import('sharp');
  return sharp(file).resize(640, 480, { fit: 'cover' }).png().toBuffer();
}
