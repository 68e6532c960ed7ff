import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suppressOverlaps, tileOrigins } from './detector.js';

test('tiles cover the picture with overlap and end flush with its edge', () => {
  assert.deepEqual(tileOrigins(500), [0]);
  assert.deepEqual(tileOrigins(1080), [0, 440]);
  assert.deepEqual(tileOrigins(1920), [0, 480, 960, 1280]);
});

test('overlapping detections keep the best; a face cut by a tile edge is merged into the whole one', () => {
  const d = (x: number, w: number, score: number) => ({ box: { x, y: 0, width: w, height: w }, score });
  const kept = suppressOverlaps([d(0, 100, 0.9), d(10, 100, 0.95), d(300, 50, 0.6), d(300, 25, 0.7)]);
  assert.deepEqual(
    kept.map((k) => k.score),
    [0.95, 0.7],
  );
});
