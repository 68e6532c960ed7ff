import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAGES, stageMedians, timeStages, type StageCall } from './stages.js';

const call = (total: number, pixels: number, detection: number, landmarks: number, crops: number, emotion: number): StageCall => ({
  total,
  stages: { pixels, detection, landmarks, crops, emotion },
});

test('stageMedians takes the median of each stage over the calls, and of what each call spent outside them', () => {
  const m = stageMedians([call(20, 1, 10, 0, 2, 4), call(30, 3, 12, 0, 2, 6), call(100, 2, 80, 0, 3, 5)]);
  // each call's rest: 20 - 17 = 3, 30 - 23 = 7, 100 - 90 = 10
  assert.deepEqual(m, { pixels: 2, detection: 12, landmarks: 0, crops: 2, emotion: 5, other: 7 });
});

test('timeStages adds up a stage told several times within one call, and starts every stage at zero', async () => {
  const c = await timeStages(async (detectCall) => {
    detectCall.onStage?.('detection', 4);
    detectCall.onStage?.('pixels', 1);
    detectCall.onStage?.('detection', 6);
  });
  assert.deepEqual(Object.keys(c.stages).sort(), [...STAGES].sort());
  assert.equal(c.stages.detection, 10);
  assert.equal(c.stages.pixels, 1);
  assert.equal(c.stages.emotion, 0);
  assert.ok(c.total >= 0);
});
