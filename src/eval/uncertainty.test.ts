import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uncertaintyThreshold } from './uncertainty.js';

test('uncertainty threshold: flags the confidences where answers are more often wrong than right', () => {
  // sorted by confidence, wrong minus right accumulates 1, 0, 1, 2, 1, 0, -1, -2: best after the fourth face
  const confidence = [0.6, 0.25, 0.9, 0.3, 0.5, 0.2, 0.8, 0.35];
  const correct = [1, 1, 1, 0, 1, 0, 1, 0];
  const u = uncertaintyThreshold(confidence, correct, { step: 0.05 });
  assert.equal(u.threshold, 0.4); // the first grid point above 0.35
  assert.equal(u.flagged, 4 / 8);
  assert.equal(u.flaggedAccuracy, 1 / 4);
  assert.equal(u.keptAccuracy, 1);
  // nothing to flag when answers are right at least as often as wrong at every confidence
  const none = uncertaintyThreshold([0.3, 0.4, 0.9], [1, 0, 1]);
  assert.equal(none.threshold, 0);
  assert.equal(none.flagged, 0);
  assert.ok(Number.isNaN(none.flaggedAccuracy));
  assert.equal(none.keptAccuracy, 2 / 3);
  // a calibrated model (right with probability = confidence) is flagged near 0.5
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const conf = Array.from({ length: 20000 }, () => 0.2 + 0.8 * rand());
  const calibrated = uncertaintyThreshold(
    conf,
    conf.map((c) => rand() < c),
  );
  assert.ok(Math.abs(calibrated.threshold - 0.5) <= 0.05, String(calibrated.threshold));
});
