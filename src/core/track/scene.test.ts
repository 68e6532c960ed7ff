import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RgbImage } from '../image/pixels.js';
import { areaMean, greyIntegral, gridMeans } from './grey.js';
import { DEFAULT_SCENE_CHANGE, thumbnail, thumbnailDifference } from './scene.js';

/** A picture whose grey level is `f(x, y)` (grey: r = g = b). */
function picture(width: number, height: number, f: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(f(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height };
}

test('area means from the summed-area table, worked by hand', () => {
  // 4 x 2: left half 10, right half 50
  const g = greyIntegral(picture(4, 2, (x) => (x < 2 ? 10 : 50)));
  assert.ok(Math.abs(areaMean(g, 0, 0, 4, 2) - 30) < 1e-9);
  assert.ok(Math.abs(areaMean(g, 1, 0, 3, 1) - 30) < 1e-9);
  assert.ok(Math.abs(areaMean(g, 2, 0, 4, 2) - 50) < 1e-9);
  // outside the picture: the nearest edge pixels
  assert.ok(Math.abs(areaMean(g, 9, 0, 12, 2) - 50) < 1e-9);
  assert.ok(Math.abs(areaMean(g, -5, -5, -1, -1) - 10) < 1e-9);
  assert.deepEqual([...gridMeans(g, { x: 0, y: 0, width: 4, height: 2 }, 2, 1)], [10, 50]);
  // luminance weights of a colour pixel (BT.601)
  const red = greyIntegral({ data: Uint8Array.from([255, 0, 0]), width: 1, height: 1 });
  assert.ok(Math.abs(areaMean(red, 0, 0, 1, 1) - 0.299 * 255) < 1e-9);
});

test('thumbnail difference: 0 for the same picture, small for a small shift, large for a cut', () => {
  const scene = (dx: number) => picture(320, 240, (x, y) => 60 + Math.round(60 * Math.sin((x + dx) / 25) + 40 * Math.cos(y / 30)));
  const a = thumbnail(greyIntegral(scene(0)));
  assert.equal(a.length, 32 * 24);
  assert.equal(thumbnailDifference(a, thumbnail(greyIntegral(scene(0)))), 0);
  const moved = thumbnailDifference(a, thumbnail(greyIntegral(scene(4))));
  assert.ok(moved > 0 && moved < DEFAULT_SCENE_CHANGE, `a 4-pixel pan measures ${moved}`);
  const cut = thumbnailDifference(a, thumbnail(greyIntegral(picture(320, 240, (x) => (x < 160 ? 200 : 20)))));
  assert.ok(cut > DEFAULT_SCENE_CHANGE, `a cut measures ${cut}`);
  assert.equal(thumbnailDifference(a, new Float32Array(4)), Infinity, 'thumbnails of other sizes differ completely');
});
