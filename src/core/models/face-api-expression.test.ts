import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { bilinearMatrix, FACE_API_LABELS, faceApiExpressionMetadata, faceApiLabelOrder, toFerkitOrder } from './face-api-expression.js';
import { EMOTIONS } from '../labels.js';

test("face-api's labels map onto ferkit's by meaning: angry, disgusted, fearful, happy, sad, surprised, neutral", () => {
  assert.deepEqual(faceApiLabelOrder(), [3, 5, 4, 1, 2, 6, 0]);
  assert.deepEqual(
    faceApiLabelOrder().map((i) => FACE_API_LABELS[i]),
    ['angry', 'disgusted', 'fearful', 'happy', 'sad', 'surprised', 'neutral'],
  );
  // one row that is sure of face-api's 'happy' (index 1), one of its 'neutral' (index 0)
  const rows = Float32Array.from([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const ours = toFerkitOrder(rows, 2);
  assert.equal(EMOTIONS[ours.subarray(0, 7).indexOf(1)], 'happy');
  assert.equal(EMOTIONS[ours.subarray(7, 14).indexOf(1)], 'neutral');
  const meta = faceApiExpressionMetadata();
  assert.deepEqual(meta.labels, [...EMOTIONS]);
  assert.equal(meta.preprocessing.inputSize, 48);
  assert.equal(meta.preprocessing.network?.inputSize, 112);
  assert.deepEqual(meta.preprocessing.network?.meanRgb, [122.782, 117.001, 104.298]);
});

test("bilinearMatrix resizes as TensorFlow.js's resizeBilinear (no aligned corners, no half-pixel centres) does", () => {
  const size = 48;
  const out = 112;
  const picture = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
  const r = bilinearMatrix(size, out);
  // every row's weights sum to 1
  for (let o = 0; o < out; o++) assert.ok(Math.abs(r.subarray(o * size, (o + 1) * size).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const expected = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(picture, [size, size, 1]), [out, out], false, false).dataSync());
  let worst = 0;
  for (let y = 0; y < out; y++)
    for (let x = 0; x < out; x++) {
      let v = 0;
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) v += r[y * size + i] * picture[i * size + j] * r[x * size + j];
      worst = Math.max(worst, Math.abs(v - expected[y * out + x]));
    }
  assert.ok(worst < 1e-3, `max difference ${worst} on 0..250 values`);
  assert.throws(() => bilinearMatrix(0, 4), RangeError);
});
