/** Tiling large pictures for detection, and merging the faces found in overlapping tiles. Pure; platform-neutral. */
import type { Box } from '../image/geometry.js';

/** The side of the tiles a large picture is also searched in. */
export const TILE = 640;
const TILE_STRIDE = 480;
/** `tiles: 'auto'` tiles pictures whose longer side is above this. */
const AUTO_TILE_ABOVE = 1280;

/** Whether a picture is also searched in tiles: asked for, or `auto` and larger than AUTO_TILE_ABOVE; never when one tile covers it. Pure. */
export function searchesTiles(tiles: 'auto' | boolean, width: number, height: number): boolean {
  const longer = Math.max(width, height);
  return (tiles === true || (tiles === 'auto' && longer > AUTO_TILE_ABOVE)) && longer > TILE;
}

/** Detections clipped to the picture, those left at least 2 pixels wide and high. Pure. */
export function clippedToPicture(found: readonly { box: Box; score: number }[], width: number, height: number): { box: Box; score: number }[] {
  const out: { box: Box; score: number }[] = [];
  for (const d of found) {
    const x = Math.max(0, d.box.x),
      y = Math.max(0, d.box.y);
    const box = { x, y, width: Math.min(width, d.box.x + d.box.width) - x, height: Math.min(height, d.box.y + d.box.height) - y };
    if (box.width >= 2 && box.height >= 2) out.push({ box, score: d.score });
  }
  return out;
}

/** Non-maximum suppression: keeps the best-scoring of boxes overlapping more than `maxIou`. Pure. */
export function suppressOverlaps<T extends { box: Box; score: number }>(dets: readonly T[], maxIou = 0.4): T[] {
  const kept: T[] = [];
  for (const d of [...dets].sort((a, b) => b.score - a.score)) {
    if (kept.every((k) => overlap(k.box, d.box) <= maxIou)) kept.push(d);
  }
  return kept;
}

/** Intersection over the smaller box's area (a face found whole and cut by a tile edge still overlaps fully). */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

/** Top-left corners of overlapping tiles covering a picture. Pure. */
export function tileOrigins(length: number, tile = TILE, stride = TILE_STRIDE): number[] {
  if (length <= tile) return [0];
  const out: number[] = [];
  for (let p = 0; p + tile < length; p += stride) out.push(p);
  out.push(length - tile);
  return out;
}
