import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RgbImage } from '../image/pixels.js';
import { iou } from '../face/tracker.js';
import { greyIntegral } from './grey.js';
import { DEFAULT_MAX_MISMATCH, facePatch, findPatch } from './motion.js';

/** A textured square (cells of fixed pseudo-random grey) of `side` pixels at (x, y) on a flat background. */
function scene(x: number, y: number, side: number, background = 100, seed = 1): RgbImage {
  const width = 320,
    height = 240;
  const data = new Uint8Array(width * height * 3).fill(background);
  for (let py = Math.max(0, Math.round(y)); py < Math.min(height, Math.round(y + side)); py++) {
    for (let px = Math.max(0, Math.round(x)); px < Math.min(width, Math.round(x + side)); px++) {
      const u = Math.floor(((px - x) / side) * 8),
        v = Math.floor(((py - y) / side) * 8);
      const s = Math.imul((u * 73 + v * 151 + seed * 977) >>> 0, 0x9e3779b1) >>> 0;
      data.fill(30 + ((s >>> 16) % 200), (py * width + px) * 3, (py * width + px) * 3 + 3);
    }
  }
  return { data, width, height };
}

test('a patch is found again where it moved, and at its new size', () => {
  const box = { x: 100, y: 80, width: 64, height: 64 };
  const patch = facePatch(greyIntegral(scene(100, 80, 64)), box);
  for (const [dx, dy, grow] of [
    [0, 0, 1],
    [9, -6, 1],
    [-20, 12, 1],
    [5, 5, 1.1],
    [-4, 3, 0.92],
  ]) {
    const side = 64 * grow;
    const truth = { x: 100 + dx - (side - 64) / 2, y: 80 + dy - (side - 64) / 2, width: side, height: side };
    const found = findPatch(greyIntegral(scene(truth.x, truth.y, side)), patch, box);
    assert.ok(found, `moved by ${dx}, ${dy}, x${grow}`);
    assert.ok(iou(found.box, truth) > 0.9, `moved by ${dx}, ${dy}, x${grow}: IoU ${iou(found.box, truth).toFixed(3)}`);
    assert.ok(found.mismatch < DEFAULT_MAX_MISMATCH);
  }
});

test('a patch that is not there is not found', () => {
  const box = { x: 100, y: 80, width: 64, height: 64 };
  const patch = facePatch(greyIntegral(scene(100, 80, 64)), box);
  assert.equal(findPatch(greyIntegral(scene(100, 80, 64, 100, 2)), patch, box), undefined, 'another texture in its place');
  assert.equal(findPatch(greyIntegral(scene(400, 80, 64)), patch, box), undefined, 'gone: a flat background');
});
