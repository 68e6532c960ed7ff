import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faceFraming, fitFraming, framedFace, summarizeFraming } from './framing.js';
import { cropGeometry } from '../core/face/align.js';

test('a framed crop sits enlarged in the middle of a border of its mean grey', () => {
  const grey = new Uint8Array(48 * 48);
  for (let y = 0; y < 48; y++) for (let x = 24; x < 48; x++) grey[y * 48 + x] = 100; // left half black, right half 100: mean 50
  grey[20 * 48 + 30] = 250; // one bright pixel at (30, 20)
  const f = framedFace(grey, 48, 4, 0.5);
  assert.equal(f.image.width, 48 * 2 * 4);
  assert.equal(f.scale, 4);
  assert.equal(f.offset, 96);
  const at = (x: number, y: number) => f.image.data[3 * (y * f.image.width + x)];
  // the pixel's centre (30.5, 20.5) lands at offset + 4 * that
  assert.ok(at(96 + 122, 96 + 82) > 200 && at(96 + 121, 96 + 81) > 200, 'the bright pixel, enlarged');
  assert.equal(at(96 + 130, 96 + 90), 100, 'and its neighbourhood as it was');
  assert.equal(at(96 + 10, 96 + 10), 0);
  assert.equal(at(0, 0), 50, 'the border is the mean grey');
  assert.equal(at(95, 150), 50);
});

test('a box on the crop itself frames as centre 0.5, side 1; the fitted framing undoes a smaller, higher box', () => {
  const f = framedFace(new Uint8Array(48 * 48), 48, 4, 0.5);
  const box = { x: 96, y: 96, width: 192, height: 192 };
  const exact = faceFraming({ box, score: 1 }, cropGeometry(box, undefined, 0), f);
  assert.deepEqual(exact.cropCenter, { x: 0.5, y: 0.5 });
  assert.equal(exact.cropSide, 1);
  // detector boxes 0.8 of the crop, centred 0.1 above its centre
  const small = { x: 96 + 19.2, y: 96 + 19.2 - 19.2, width: 153.6, height: 153.6 };
  const bare = summarizeFraming([faceFraming({ box: small, score: 1 }, cropGeometry(small, undefined, 0), f)]);
  const fit = fitFraming(bare);
  assert.ok(Math.abs(fit.margin - 0.125) < 1e-9, String(fit.margin));
  assert.ok(Math.abs(fit.shiftY - 0.1) < 1e-9, String(fit.shiftY));
  const matched = faceFraming({ box: small, score: 1 }, cropGeometry(small, undefined, fit), f);
  assert.ok(Math.abs(matched.cropSide - 1) < 1e-9 && Math.abs(matched.cropCenter.y - 0.5) < 1e-9 && Math.abs(matched.cropCenter.x - 0.5) < 1e-9);
});
