import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChoosingDetector, detectorChoice, fastIsEnough } from './choice.js';
import type { DetectedFace, Detector } from './detector.js';
import type { RgbImage } from '../image/pixels.js';

const face = (side: number): DetectedFace => ({ box: { x: 0, y: 0, width: side, height: side }, score: 0.9 });
const img = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3) });

function fake(faces: DetectedFace[]): Detector & { calls: number; disposed: boolean } {
  return {
    calls: 0,
    disposed: false,
    async detect() {
      this.calls++;
      return faces;
    },
    dispose() {
      this.disposed = true;
    },
  };
}

test('auto keeps the fast answer only for close-ups: some face found, every face at least a fifth of the shorter side', () => {
  assert.equal(fastIsEnough([face(100)], 640, 480), true);
  assert.equal(fastIsEnough([face(100), face(60)], 640, 480), false);
  assert.equal(fastIsEnough([], 640, 480), false);
});

test('the choosing detector asks the accurate one when the fast one may have missed faces, or when told to', async () => {
  const small = img(640, 480);
  {
    const fast = fake([face(200)]),
      accurate = fake([face(190)]);
    const d = new ChoosingDetector({ fast, accurate });
    assert.deepEqual(await d.detect(small), [face(200)]);
    assert.deepEqual([fast.calls, accurate.calls], [1, 0]);
    assert.deepEqual(await d.detect(small, { detector: 'accurate' }), [face(190)]);
    d.dispose();
    assert.ok(fast.disposed && accurate.disposed);
  }
  {
    const fast = fake([face(200), face(40)]),
      accurate = fake([face(190), face(40), face(30)]);
    const d = new ChoosingDetector({ fast, accurate });
    assert.equal((await d.detect(small)).length, 3);
    assert.equal((await d.detect(small, { detector: 'fast' })).length, 2);
  }
  {
    // only one loaded: it answers whatever is asked
    const fast = fake([face(40)]);
    const d = new ChoosingDetector({ fast }, 'fast');
    assert.equal((await d.detect(small, { detector: 'accurate' })).length, 1);
    assert.deepEqual(d.loaded, { fast: true, accurate: false });
  }
  assert.throws(() => new ChoosingDetector({}), /fast or the accurate/);
});

test('detector names are checked', () => {
  assert.equal(detectorChoice('fast'), 'fast');
  assert.throws(() => detectorChoice('quick'), /use fast, accurate or auto/);
});
