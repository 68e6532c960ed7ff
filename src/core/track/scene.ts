/**
 * The cheap test for "the picture changed": a small grey thumbnail of each
 * frame (32 x 24 cells by default, each the mean grey of its part of the
 * picture) compared with the thumbnail of the frame where faces were last
 * searched, by mean absolute difference. A cut, a camera swung round or
 * someone walking in gives a large difference; a talking head gives a
 * small one. Pure.
 */
import type { GreyIntegral } from './grey.js';
import { gridMeans } from './grey.js';

/** Thumbnail size: 32 x 24 cells (4:3). */
export const THUMBNAIL_COLS = 32;
export const THUMBNAIL_ROWS = 24;

/**
 * The default difference (mean absolute grey difference, 0..255) between
 * two thumbnails above which the picture counts as changed. Cuts between
 * different shots measure 30 or more; a face moving or turning in front of
 * the same background measures under 10 (src/core/track/scene.test.ts).
 */
export const DEFAULT_SCENE_CHANGE = 20;

/** The grey thumbnail of a picture: the mean grey of each of `cols` x `rows` cells. Pure. */
export function thumbnail(g: GreyIntegral, cols = THUMBNAIL_COLS, rows = THUMBNAIL_ROWS): Float32Array {
  return gridMeans(g, { x: 0, y: 0, width: g.width, height: g.height }, cols, rows);
}

/** Mean absolute difference of two thumbnails of the same size (0..255). Pure. */
export function thumbnailDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
