import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLAZEFACE_BACK,
  BLAZEFACE_FRONT,
  BLAZEFACE_TO_SSD,
  blazeFaceLayoutFor,
  blazeFaceAnchors,
  blendOverlaps,
  boxIou,
  decodeBlazeFace,
  letterbox,
  sigmoid,
  toDetectedFace,
  type BlazeFaceCandidate,
} from './blazeface.js';

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('896 anchors: a 16x16 grid with 2 per cell, then an 8x8 grid with 6 per cell, centred in their cells', () => {
  const a = blazeFaceAnchors();
  assert.equal(a.length, 896 * 2);
  assert.deepEqual([a[0], a[1], a[2], a[3]], [0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16]);
  // the second cell of the first row
  close(a[4], 1.5 / 16);
  // the first anchor of the 8x8 grid, then its last one
  close(a[512 * 2], 0.5 / 8);
  close(a[895 * 2], 7.5 / 8);
  close(a[895 * 2 + 1], 7.5 / 8);
});

test("the front model's anchors: strides 8 and 16 on 128x128, the same 896 centres as the back model's, in input pixels half as far", () => {
  const front = blazeFaceAnchors(BLAZEFACE_FRONT.size, BLAZEFACE_FRONT.layers);
  assert.equal(front.length, 896 * 2);
  assert.deepEqual([...front], [...blazeFaceAnchors(BLAZEFACE_BACK.size, BLAZEFACE_BACK.layers)]);
  // the first anchor sits 4 px in (half of stride 8), the 8x8 grid's first 8 px in (half of stride 16)
  close(front[0] * 128, 4);
  close(front[512 * 2] * 128, 8);
  assert.equal(blazeFaceLayoutFor(128), BLAZEFACE_FRONT);
  assert.equal(blazeFaceLayoutFor(256), BLAZEFACE_BACK);
  assert.equal(blazeFaceLayoutFor(192), undefined);
});

test('decoding at 128x128: the same regression gives a box in picture pixels at twice the scale', () => {
  const anchors = blazeFaceAnchors(BLAZEFACE_FRONT.size, BLAZEFACE_FRONT.layers);
  const logits = new Float32Array(896).fill(-10);
  const regs = new Float32Array(896 * 16);
  // anchor 512: centre 8,8 in network pixels; a 20x25 box centred 2 px right and 1 down
  logits[512] = 3;
  regs.set([2, 1, 20, 25, -4, -2, 4, -2, 0, 2, 0, 6, -9, 0, 9, 0], 512 * 16);
  const lb = letterbox(640, 480, 128);
  assert.deepEqual(lb, { scale: 5, width: 128, height: 96 });
  const [c] = decodeBlazeFace(logits, regs, anchors, lb, 0.5, 128);
  // scale 5: centre (10, 9) -> (50, 45); size (20, 25) -> (100, 125)
  assert.deepEqual(c.box, { x: 0, y: -17.5, width: 100, height: 125 });
  assert.deepEqual(c.keypoints[0], { x: 20, y: 30 });
});

test('sigmoid stays finite for huge logits', () => {
  close(sigmoid(0), 0.5);
  assert.equal(sigmoid(1e6), 1 / (1 + Math.exp(-100)));
  assert.ok(sigmoid(-1e6) > 0);
});

test('a picture is letterboxed by its longer side', () => {
  assert.deepEqual(letterbox(640, 480), { scale: 2.5, width: 256, height: 192 });
  assert.deepEqual(letterbox(100, 400), { scale: 1.5625, width: 64, height: 256 });
});

test('decoding: offsets from the anchor centre in network pixels become picture pixels', () => {
  const anchors = blazeFaceAnchors();
  const logits = new Float32Array(896).fill(-10);
  const regs = new Float32Array(896 * 16);
  // anchor 512 (8x8 grid, centre 16,16 in network pixels): a 40x50 box centred 4 px right and 2 down
  logits[512] = 3;
  regs.set([4, 2, 40, 50, -8, -5, 12, -5, 2, 4, 2, 14, -18, 0, 22, 0], 512 * 16);
  const [c, ...more] = decodeBlazeFace(logits, regs, anchors, letterbox(512, 384), 0.5);
  assert.equal(more.length, 0);
  close(c.score, sigmoid(3));
  // scale 2: centre (20, 18) -> (40, 36); size (40, 50) -> (80, 100)
  assert.deepEqual(c.box, { x: 0, y: -14, width: 80, height: 100 });
  assert.deepEqual(c.keypoints[0], { x: 16, y: 22 });
  assert.deepEqual(c.keypoints[1], { x: 56, y: 22 });
});

test('overlapping candidates blend into one, weighted by score; a separate face stays', () => {
  const cand = (x: number, score: number): BlazeFaceCandidate => ({
    box: { x, y: 0, width: 100, height: 100 },
    score,
    keypoints: Array.from({ length: 6 }, () => ({ x, y: 0 })),
  });
  const kept = blendOverlaps([cand(0, 0.9), cand(10, 0.6), cand(300, 0.7)]);
  assert.equal(kept.length, 2);
  assert.equal(kept[0].score, 0.9);
  close(kept[0].box.x, (0 * 0.9 + 10 * 0.6) / 1.5);
  close(kept[0].keypoints[3].x, 4);
  assert.equal(kept[1].box.x, 300);
  close(boxIou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 }), 50 / 150);
});

test("a face gets SSD-MobileNet's framing, is clipped to the picture, and its eyes are named as seen", () => {
  const c: BlazeFaceCandidate = {
    box: { x: 100, y: 100, width: 100, height: 100 },
    score: 0.9,
    // the person's right eye is on the picture's left
    keypoints: [{ x: 130, y: 130 }, { x: 170, y: 120 }, ...Array.from({ length: 4 }, () => ({ x: 150, y: 160 }))],
  };
  const f = toDetectedFace(c, 1000, 1000)!;
  close(f.box.width, 100 * BLAZEFACE_TO_SSD.width);
  close(f.box.height, 100 * BLAZEFACE_TO_SSD.height);
  close(f.box.y + f.box.height / 2, 150 + 100 * BLAZEFACE_TO_SSD.dy);
  assert.deepEqual(f.eyes, { left: { x: 130, y: 130 }, right: { x: 170, y: 120 } });
  const clipped = toDetectedFace({ ...c, box: { x: -50, y: -50, width: 100, height: 100 } }, 1000, 1000)!;
  assert.equal(clipped.box.x, 0);
  assert.equal(clipped.box.y, 0);
  assert.equal(toDetectedFace({ ...c, box: { x: -99, y: 10, width: 100, height: 100 } }, 1000, 1000), undefined);
});
