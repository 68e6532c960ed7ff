import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCalibration, applyTemperature } from '../core/models/calibration.js';
import { decisionMacroF1, expectedCalibrationError, fitClassBias, fitTemperature } from './calibration.js';
import { crossEntropy as nll } from './metrics.js';
import { createRng } from '../core/random.js';

test('temperature 1 is the identity; higher temperatures soften; rows still sum to 1', () => {
  const p = [0.7, 0.2, 0.1];
  assert.ok(applyTemperature(p, 3, 1).every((v, i) => Math.abs(v - p[i]) < 1e-6));
  const soft = applyTemperature(p, 3, 2);
  assert.ok(soft[0] < 0.7 && soft[2] > 0.1);
  assert.ok(Math.abs(soft.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  // T = 2 on (0.7, 0.2, 0.1): proportional to sqrt of each
  const z = Math.sqrt(0.7) + Math.sqrt(0.2) + Math.sqrt(0.1);
  assert.ok(Math.abs(soft[0] - Math.sqrt(0.7) / z) < 1e-6);
});

test('ECE by hand: two bins', () => {
  // confidences 0.9 (right) and 0.9 (wrong): bin accuracy 0.5, confidence 0.9 -> ECE 0.4
  assert.ok(Math.abs(expectedCalibrationError([0.9, 0.1, 0.9, 0.1], [0, 1], 2, 10) - 0.4) < 1e-12);
});

test('fitting a temperature undoes over-confidence and lowers NLL and ECE', () => {
  // true probabilities: the right class with 0.6 out of 3 classes; the model reports them sharpened (T = 1/3)
  const rng = createRng(9);
  const n = 3000,
    k = 3;
  const calibrated = new Float32Array(n * k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const top = Math.floor(rng() * k);
    for (let j = 0; j < k; j++) calibrated[i * k + j] = j === top ? 0.6 : 0.2;
    const u = rng();
    labels[i] = u < 0.6 ? top : (top + (u < 0.8 ? 1 : 2)) % k;
  }
  const sharp = applyTemperature(calibrated, k, 1 / 3);
  const t = fitTemperature(sharp, labels, k);
  assert.ok(Math.abs(t - 3) < 0.3, `fitted T ${t}`);
  const fixed = applyTemperature(sharp, k, t);
  assert.ok(nll(fixed, labels, k) < nll(sharp, labels, k));
  assert.ok(expectedCalibrationError(fixed, labels, k) < 0.03);
  assert.ok(expectedCalibrationError(sharp, labels, k) > 0.2);
});

test('class bias: zero bias is plain temperature scaling; the fitted bias lifts an under-predicted class and macro-F1', () => {
  const p = [0.5, 0.3, 0.2, 0.1, 0.1, 0.8];
  const t = applyTemperature(p, 3, 1.5);
  const z = applyCalibration(p, 3, { temperature: 1.5, classBias: [0, 0, 0] });
  assert.ok(z.every((v, i) => Math.abs(v - t[i]) < 1e-7));
  // a bias of log 2 on class 2 doubles its odds against the others
  const b = applyCalibration([0.5, 0.3, 0.2], 3, { temperature: 1, classBias: [0, 0, Math.log(2)] });
  assert.ok(Math.abs(b[2] / b[0] - 0.8) < 1e-6);

  // two classes, class 1 rarely wins although its probability is informative: the model says 0.35 for true 1s, 0.15 for true 0s
  const rng = createRng(4);
  const n = 2000;
  const probs = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng() < 0.4 ? 1 : 0;
    const q = Math.min(0.99, Math.max(0.01, (labels[i] ? 0.35 : 0.15) + (rng() - 0.5) * 0.3));
    probs[i * 2] = 1 - q;
    probs[i * 2 + 1] = q;
  }
  const before = decisionMacroF1(probs, labels, 2);
  const bias = fitClassBias(probs, labels, 2, { range: 2 });
  assert.ok(bias[1] > bias[0], `bias ${bias}`);
  assert.ok(Math.abs(bias[0] + bias[1]) < 1e-9, 'centred');
  const after = decisionMacroF1(applyCalibration(probs, 2, { temperature: 1, classBias: bias }), labels, 2);
  assert.ok(after > before + 0.2, `macro-F1 ${before} -> ${after}`);
  // already balanced decisions are left alone
  const fair = fitClassBias([0.9, 0.1, 0.1, 0.9], [0, 1], 2);
  assert.deepEqual(
    fair.map((v) => Math.abs(v)),
    [0, 0],
  );
});
