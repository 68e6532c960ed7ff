import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centroid, cropGeometry, eyeAngle } from './align.js';
import { extractCrop } from '../image/preprocess.js';

test('eye angle: level eyes give 0, a right eye lower by the eye distance gives 45 degrees', () => {
  assert.equal(eyeAngle({ x: 10, y: 20 }, { x: 30, y: 20 }), 0);
  assert.ok(Math.abs(eyeAngle({ x: 10, y: 20 }, { x: 30, y: 40 }) - Math.PI / 4) < 1e-12);
  assert.deepEqual(
    centroid([
      { x: 0, y: 0 },
      { x: 2, y: 4 },
    ]),
    { x: 1, y: 2 },
  );
});

test('crop geometry: square on the box centre, grown by the margin on each side', () => {
  const g = cropGeometry({ x: 100, y: 50, width: 80, height: 100 }, undefined, 0.1);
  assert.deepEqual(g.center, { x: 140, y: 100 });
  assert.ok(Math.abs(g.side - 120) < 1e-9);
  assert.equal(g.angle, 0);
});

test('crop geometry: shiftY moves the centre down the levelled face, by a share of the side', () => {
  const level = cropGeometry({ x: 0, y: 0, width: 100, height: 100 }, undefined, { margin: 0, shiftY: 0.1 });
  assert.deepEqual(level.center, { x: 50, y: 60 });
  // eyes at 90 degrees: the face's "down" points to the picture's left
  const turned = cropGeometry({ x: 0, y: 0, width: 100, height: 100 }, { left: { x: 50, y: 0 }, right: { x: 50, y: 10 } }, { margin: 0, shiftY: 0.1 });
  assert.ok(Math.abs(turned.center.x - 40) < 1e-9 && Math.abs(turned.center.y - 50) < 1e-9, JSON.stringify(turned.center));
});

test('crop geometry by the eyes: side from their distance, centre below their midpoint; the box when no eyes are known', () => {
  const framing = { margin: 0.1, shiftY: 0, eyes: { distance: 0.4, y: 0.4 } };
  const box = { x: 0, y: 0, width: 100, height: 100 };
  const g = cropGeometry(box, { left: { x: 30, y: 40 }, right: { x: 70, y: 40 } }, framing);
  assert.equal(g.side, 100);
  assert.ok(Math.abs(g.center.x - 50) < 1e-9 && Math.abs(g.center.y - 50) < 1e-9, JSON.stringify(g.center));
  assert.deepEqual(cropGeometry(box, undefined, framing), cropGeometry(box, undefined, 0.1));
});

test('extracting an unrotated crop of a gradient resamples it faithfully', () => {
  const w = 96,
    h = 96;
  const grey = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) grey[y * w + x] = x * 2; // 0..190 left to right
  const crop = extractCrop(grey, w, h, { center: { x: 48, y: 48 }, side: 96, angle: 0 }, 48);
  // output pixel ox covers input columns 2ox..2ox+1: mean value 2*(2ox+0.5)
  for (const ox of [0, 10, 30, 47]) assert.ok(Math.abs(crop[10 * 48 + ox] - 2 * (2 * ox + 0.5)) <= 1, `ox ${ox}: ${crop[10 * 48 + ox]}`);
});

test('a rotated crop levels a tilted line', () => {
  // a bright line through the centre, tilted by 30 degrees
  const w = 200,
    h = 200,
    angle = Math.PI / 6;
  const grey = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.abs(-(x - 100) * Math.sin(angle) + (y - 100) * Math.cos(angle)); // distance to the line
      grey[y * w + x] = d < 3 ? 255 : 0;
    }
  }
  const crop = extractCrop(grey, w, h, { center: { x: 100, y: 100 }, side: 96, angle }, 48);
  // after levelling the line is horizontal through the middle rows
  const row = (r: number) => crop.subarray(r * 48, r * 48 + 48).reduce((a, b) => a + b, 0) / 48;
  assert.ok(row(23) > 150 && row(24) > 150, `middle rows ${row(23)}, ${row(24)}`);
  assert.ok(row(5) < 10 && row(42) < 10, `outer rows ${row(5)}, ${row(42)}`);
});
