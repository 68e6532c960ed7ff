import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atWorkingSize, DEFAULT_DETECTION_SIZE, shrinkRgb, workingScale } from './working-size.js';
import { tileOrigins, type DetectedFace } from './detector.js';
import type { RgbImage } from '../image/pixels.js';

test('workingScale: 1 up to the limit, then the factor that brings the longer side to it', () => {
  assert.equal(workingScale(640, 480, 2080), 1);
  assert.equal(workingScale(2080, 100, 2080), 1);
  assert.equal(workingScale(4160, 3120, 2080), 0.5);
  assert.equal(workingScale(100, 20800, 2080), 0.1);
  // at the default working size the detector's tiles number at most 4 x 4
  assert.equal(tileOrigins(DEFAULT_DETECTION_SIZE).length, 4);
});

test('shrinkRgb: each output pixel is the mean of the pixels it covers', () => {
  // 4x2 picture: left half 0, right half 200 (red), 100 (green), 50 (blue)
  const data = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 2; x < 4; x++) data.set([200, 100, 50], (y * 4 + x) * 3);
  const half = shrinkRgb({ data, width: 4, height: 2 }, 0.5);
  assert.deepEqual([half.width, half.height], [2, 1]);
  assert.deepEqual([...half.data], [0, 0, 0, 200, 100, 50]);
  const odd = shrinkRgb({ data: new Uint8Array(7 * 5 * 3).fill(77), width: 7, height: 5 }, 0.3);
  assert.deepEqual([odd.width, odd.height], [2, 2]);
  assert.ok(odd.data.every((v) => v === 77));
});

test("atWorkingSize: the detector sees a shrunk picture; faces come back in the picture's pixels", async () => {
  const seen: [number, number, unknown][] = [];
  let disposed = 0;
  const fake = {
    marker: 'own property',
    async detect(img: RgbImage, call?: unknown): Promise<DetectedFace[]> {
      seen.push([img.width, img.height, call]);
      return [{ box: { x: 10, y: 20, width: 30, height: 40 }, score: 0.9, eyes: { left: { x: 1, y: 2 }, right: { x: 3, y: 4 } }, landmarks: [{ x: 5, y: 6 }] }];
    },
    dispose() {
      disposed++;
    },
  };
  const bounded = atWorkingSize(fake, 100);
  const small = await bounded.detect({ data: new Uint8Array(50 * 40 * 3), width: 50, height: 40 });
  assert.deepEqual(small[0].box, { x: 10, y: 20, width: 30, height: 40 });
  const [face] = await (bounded.detect as (img: RgbImage, call: unknown) => Promise<DetectedFace[]>)(
    { data: new Uint8Array(400 * 200 * 3), width: 400, height: 200 },
    { detector: 'fast' },
  );
  assert.deepEqual(seen, [
    [50, 40, undefined],
    [100, 50, { detector: 'fast' }],
  ]);
  assert.deepEqual(face.box, { x: 40, y: 80, width: 120, height: 160 });
  assert.equal(face.score, 0.9);
  assert.deepEqual(face.eyes, { left: { x: 4, y: 8 }, right: { x: 12, y: 16 } });
  assert.deepEqual(face.landmarks, [{ x: 20, y: 24 }]);
  assert.equal(bounded.marker, 'own property');
  bounded.dispose();
  assert.equal(disposed, 1);
});
