import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaceTracker, iou } from './tracker.js';
import { l1, smoothStep } from '../../video/smooth.js';

const box = (x: number, y: number, s = 10) => ({ x, y, width: s, height: s });

test('IoU of boxes, worked by hand', () => {
  assert.equal(iou(box(0, 0), box(0, 0)), 1);
  assert.equal(iou(box(0, 0), box(20, 20)), 0);
  // overlap 5x10 = 50; union 100 + 100 - 50 = 150
  assert.ok(Math.abs(iou(box(0, 0), box(5, 0)) - 1 / 3) < 1e-12);
});

test('a face keeps its id while it moves; a new face gets a new id; a lost face ends after maxMissed frames', () => {
  const t = new FaceTracker({ maxMissed: 2 });
  assert.deepEqual(t.update([box(0, 0), box(100, 0)], 0), [1, 2]);
  assert.deepEqual(t.update([box(102, 1), box(2, 1)], 1), [2, 1], 'matched by overlap, whatever the order');
  assert.deepEqual(t.update([box(4, 2), box(200, 200)], 2), [1, 3], 'face 2 unseen, a new face 3');
  assert.deepEqual(t.update([box(104, 2)], 3), [2], 'face 2 back within maxMissed frames');
  assert.deepEqual(t.update([box(6, 3)], 7), [4], 'face 1 unseen for 4 frames: a new id');
});

test('smoothing: half-life in seconds, independent of the frame rate', () => {
  assert.deepEqual(smoothStep(undefined, [1, 0], 0.2, 0.5), [1, 0]);
  const s = smoothStep([1, 0], [0, 1], 0.5, 0.5); // one half-life: halfway
  assert.ok(Math.abs(s[0] - 0.5) < 1e-12 && Math.abs(s[1] - 0.5) < 1e-12);
  // two steps of 0.25 s equal one step of 0.5 s
  const two = smoothStep(smoothStep([1, 0], [0, 1], 0.25, 0.5), [0, 1], 0.25, 0.5);
  assert.ok(Math.abs(two[0] - 0.5) < 1e-12);
  assert.deepEqual(smoothStep([1, 0], [0, 1], 0.2, 0), [0, 1], 'half-life 0: no smoothing');
  assert.equal(l1([1, 0], [0, 1]), 2);
});

test('a followed track is matched at its new box by the next update', () => {
  const t = new FaceTracker({ maxMissed: 3 });
  assert.deepEqual(t.update([box(0, 0)], 0), [1]);
  // the face moved 30 px, followed frame by frame without detection: no overlap with where it was detected
  for (let f = 1; f <= 3; f++) assert.equal(t.follow(1, box(10 * f, 0), f), true);
  assert.deepEqual(t.update([box(31, 0)], 4), [1]);
  assert.equal(t.follow(9, box(0, 0), 5), false, 'no such track');
  assert.equal(t.follow(1, box(31, 0), 9), false, 'ended: unseen for more than maxMissed frames');
});
