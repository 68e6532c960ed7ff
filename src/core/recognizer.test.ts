import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS } from './labels.js';
import { FerkitError } from './errors.js';
import { assembleRecognizer } from './recognizer.js';
import { DEFAULT_PREPROCESSING, type ModelMetadata } from './models/metadata.js';
import type { Classifier } from './models/classifier.js';
import type { DetectedFace, Detector } from './face/detector.js';
import type { RgbImage } from './image/pixels.js';

const meta: ModelMetadata = { format: 'ferkit-model', formatVersion: 1, architecture: 'test', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
const engine = { backend: 'cpu', native: false, reason: 'test' } as const;

/** Class k where the crop's mean grey level falls in the k-th seventh of 0..1; counts the faces it is given. */
function fakeClassifier(): Classifier & { faces: number } {
  return {
    runtime: 'onnxruntime',
    numClasses: 7,
    faces: 0,
    async run(batch, n) {
      this.faces += n;
      const out = new Float32Array(n * 7).fill(0.01);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < 2304; j++) s += batch[i * 2304 + j];
        out[i * 7 + Math.min(6, Math.floor((s / 2304) * 7))] = 0.94;
      }
      return out;
    },
    dispose() {},
  };
}

/** A picture of two flat squares on black: a dark one (grey 20) at the left, a bright one (grey 230) at the right. */
const picture: RgbImage = (() => {
  const width = 200,
    height = 100;
  const data = new Uint8Array(width * height * 3);
  for (let y = 20; y < 80; y++) {
    for (let x = 10; x < 70; x++) data.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
    for (let x = 120; x < 180; x++) data.fill(230, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { data, width, height };
})();
const faces: DetectedFace[] = [
  { box: { x: 10, y: 20, width: 60, height: 60 }, score: 0.9 },
  { box: { x: 120, y: 20, width: 60, height: 60 }, score: 0.8 },
];

test('recognizeFaces reads the emotions of faces already found, as recognizeRgb does, without the detector', async () => {
  let detections = 0;
  const detector: Detector = {
    async detect() {
      detections++;
      return faces.map((f) => ({ ...f }));
    },
    dispose() {},
  };
  const classifier = fakeClassifier();
  const r = assembleRecognizer({ classifier, meta, engine, detector });
  const found = await r.detect(picture);
  assert.deepEqual(found, faces);
  assert.equal(detections, 1);
  const [viaDetector] = await r.recognizeRgb([picture]);
  assert.equal(detections, 2);
  const given = await r.recognizeFaces(picture, [faces[1], faces[0]]);
  assert.equal(detections, 2, 'recognizeFaces does not run the detector');
  assert.deepEqual(given, [viaDetector[1], viaDetector[0]], 'the same faces give the same answers, in the order given');
  assert.deepEqual(
    given.map((f) => f.emotion),
    ['neutral', 'angry'],
  );
  assert.deepEqual(await r.recognizeFaces(picture, []), []);
  assert.equal(classifier.faces, 4);
  await assert.rejects(
    r.recognizeFaces(picture, [{ box: { x: 0, y: 0, width: 0, height: 5 }, score: 1 }]),
    (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && /face 1 has no usable box/.test(e.message),
  );
  await assert.rejects(
    r.recognizeFaces({ data: new Uint8Array(3), width: 2, height: 2 }, faces),
    (e: unknown) => e instanceof FerkitError && e.code === 'BAD_IMAGE',
  );
  r.dispose();
  await assert.rejects(r.detect(picture), (e: unknown) => e instanceof FerkitError && /disposed/.test(e.message));
});

test('without a detector, detect() gives the whole picture as one face', async () => {
  const r = assembleRecognizer({ classifier: fakeClassifier(), meta, engine });
  assert.deepEqual(await r.detect(picture), [{ box: { x: 0, y: 0, width: 200, height: 100 }, score: 1 }]);
});
