import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../node/engine.js';
import { classWeights, epochOrder } from './balance.js';
import { augmentImage, parseAugment, NO_AUGMENTATION, STANDARD_AUGMENTATION } from './augment.js';
import { train } from './train.js';
import { learningRateAt, plateauScale } from './schedule.js';
import { weightedLoss } from './loss.js';
import { readModelWeights } from './checkpoint.js';
import { exportModel } from '../store/export.js';
import { loadModel } from '../store/folder.js';
import { predictProbabilities } from '../core/models/predict.js';
import { getArchitecture } from '../core/models/architectures.js';
import { createRng } from '../core/random.js';
import { classCounts, makeDataset } from '../data/dataset.js';
import { syntheticFaces, tempDir } from '../../test/fixtures.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto', { training: true });

test('class weights: inverse frequency and effective number, averaging 1 over the samples', () => {
  const counts = [100, 300];
  const inv = classWeights(counts, 'inverse');
  assert.ok(Math.abs(inv[0] / inv[1] - 3) < 1e-12);
  assert.ok(Math.abs((100 * inv[0] + 300 * inv[1]) / 400 - 1) < 1e-12);
  const eff = classWeights(counts, 'effective', 0.99);
  // effective numbers (1 - 0.99^n) / (1 - 0.99): 63.4 and 95.1 -> weights in ratio 95.1 / 63.4
  assert.ok(Math.abs(eff[0] / eff[1] - (1 - 0.99 ** 300) / (1 - 0.99 ** 100)) < 1e-9);
  assert.deepEqual(classWeights(counts, 'none'), [1, 1]);
});

test('balanced sampling draws the classes about equally; plain order is a seeded permutation', () => {
  const labels = Int32Array.from([...Array(900).fill(0), ...Array(100).fill(1)]);
  const counts = classCounts(
    epochOrder(labels, 0, 5, true).map((i) => labels[i]),
    2,
  );
  assert.ok(Math.abs(counts[0] - 500) < 60 && Math.abs(counts[1] - 500) < 60, counts.join(','));
  const plain = epochOrder(labels, 0, 5, false);
  assert.deepEqual(
    [...plain].sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.deepEqual([...epochOrder(labels, 3, 5, true)], [...epochOrder(labels, 3, 5, true)]);
});

test('augmentation: none is the identity, flip mirrors exactly, the standard recipe changes the image but keeps [0,1]', () => {
  const side = 8;
  const src = Float32Array.from({ length: 64 }, (_, i) => (i % side) / 10);
  const out = new Float32Array(64);
  augmentImage(src, out, side, NO_AUGMENTATION, createRng(1));
  assert.deepEqual([...out], [...src]);
  const flipOnly = { ...NO_AUGMENTATION, flip: true };
  const rng = createRng(3);
  let flipped = 0;
  for (let t = 0; t < 10; t++) {
    augmentImage(src, out, side, flipOnly, rng);
    const mirrored = out.every((v, i) => Math.abs(v - src[Math.floor(i / side) * side + (side - 1 - (i % side))]) < 1e-6);
    const same = out.every((v, i) => Math.abs(v - src[i]) < 1e-6);
    assert.ok(mirrored || same);
    if (mirrored) flipped++;
  }
  assert.ok(flipped > 0 && flipped < 10, `${flipped} of 10 flipped`);
  augmentImage(src, out, side, STANDARD_AUGMENTATION, createRng(7));
  assert.ok(out.some((v, i) => Math.abs(v - src[i]) > 1e-3));
  assert.ok(out.every((v) => v >= 0 && v <= 1));
});

test('learning-rate schedule: warm-up then cosine to 0', () => {
  const c = { learningRate: 1, schedule: 'cosine' as const, warmupEpochs: 1, epochs: 11 };
  assert.equal(learningRateAt(c, 0, 10), 0.1);
  assert.equal(learningRateAt(c, 9, 10), 1);
  assert.ok(Math.abs(learningRateAt(c, 10, 10) - 1) < 1e-12);
  assert.ok(Math.abs(learningRateAt(c, 60, 10) - 0.5) < 1e-12); // half-way through the decay
  assert.ok(learningRateAt(c, 109, 10) < 0.001);
  assert.equal(learningRateAt({ ...c, schedule: 'constant' }, 50, 10), 1);
});

test('reduce-on-plateau: the rate halves after `patience` epochs without a better validation accuracy, then counts again', () => {
  assert.equal(plateauScale([], 2, 0.5), 1);
  assert.equal(plateauScale([0.5, 0.6, 0.7], 2, 0.5), 1);
  assert.equal(plateauScale([0.5, 0.6, 0.6, 0.55], 2, 0.5), 0.5); // two epochs not better than 0.6
  assert.equal(plateauScale([0.5, 0.6, 0.6, 0.55, 0.59], 2, 0.5), 0.5); // the count started again
  assert.equal(plateauScale([0.5, 0.6, 0.6, 0.55, 0.59, 0.58], 2, 0.5), 0.25);
  assert.equal(plateauScale([0.5, 0.6, 0.6, 0.55, 0.61, 0.6], 2, 0.5), 0.5); // a new best resets the count
  const c = { learningRate: 1, schedule: 'plateau' as const, warmupEpochs: 1, epochs: 50 };
  assert.equal(learningRateAt(c, 4, 10), 0.5); // warm-up first
  assert.equal(learningRateAt(c, 40, 10, 0.25), 0.25);
});

test('loss: plain cross-entropy; weights, smoothing and focal terms match hand computation', () => {
  const y = tf.tensor2d([
    [0, 1],
    [1, 0],
  ]);
  const p = tf.tensor2d([
    [0.2, 0.8],
    [0.6, 0.4],
  ]);
  const v = (t: tf.Scalar) => t.dataSync()[0];
  const ce = -(Math.log(0.8) + Math.log(0.6)) / 2;
  assert.ok(Math.abs(v(weightedLoss(y, p)) - ce) < 1e-6);
  assert.ok(Math.abs(v(weightedLoss(y, p, { weights: [2, 1] })) - -(Math.log(0.8) + 2 * Math.log(0.6)) / 2) < 1e-6);
  const smooth = -(0.05 * Math.log(0.2) + 0.95 * Math.log(0.8) + (0.95 * Math.log(0.6) + 0.05 * Math.log(0.4))) / 2;
  assert.ok(Math.abs(v(weightedLoss(y, p, { smoothing: 0.1 })) - smooth) < 1e-6);
  const focal = -(0.2 ** 2 * Math.log(0.8) + 0.4 ** 2 * Math.log(0.6)) / 2;
  assert.ok(Math.abs(v(weightedLoss(y, p, { gamma: 2 })) - focal) < 1e-6);
  tf.dispose([y, p]);
});

test('--augment specs', () => {
  assert.deepEqual(parseAugment('none'), NO_AUGMENTATION);
  assert.deepEqual(parseAugment('standard'), STANDARD_AUGMENTATION);
  assert.deepEqual(parseAugment('flip,rotate=5,erase'), { ...NO_AUGMENTATION, flip: true, rotate: 5, erase: 0.25 });
  assert.throws(() => parseAugment('warp=1'), /unknown augmentation "warp"/);
});

test('the recommended options train; keep-best returns the best validation epoch; early stopping stops', async () => {
  const mk = (per: number, seed: number) => {
    const { pixels, labels } = syntheticFaces(per, 7, seed);
    return makeDataset({ pixels, labels, ids: Array.from(labels, (_, i) => `s${i}`) });
  };
  const config = {
    arch: 'tiny',
    epochs: 6,
    batchSize: 16,
    learningRate: 3e-3,
    seed: 2,
    schedule: 'cosine' as const,
    warmupEpochs: 1,
    weightDecay: 1e-4,
    classWeighting: 'effective' as const,
    balancedSampling: true,
    focalGamma: 1,
    labelSmoothing: 0.1,
    augment: { ...NO_AUGMENTATION, flip: true, shift: 0.05 },
    keepBest: true,
    earlyStopping: 2,
  };
  const { history, model } = await train({ train: mk(20, 1), validation: mk(5, 2), config });
  const bestAcc = Math.max(...history.map((h) => h.valAccuracy!));
  const bestEpoch = history.findIndex((h) => h.valAccuracy === bestAcc) + 1;
  assert.ok(history.length === 6 || history.length - bestEpoch === 2, `stopped after ${history.length} epochs, best ${bestEpoch}`);
  // the returned model is the best epoch's: its validation accuracy equals the best
  const val = mk(5, 2);
  const { predictProbabilities } = await import('../core/models/predict.js');
  const { accuracy } = await import('../eval/metrics.js');
  const { argmaxRows } = await import('../core/numeric.js');
  const acc = accuracy(val.labels, argmaxRows(await predictProbabilities(model, val.pixels), 7));
  // a second inference may sum in another order than the one during training: one face may flip
  assert.ok(Math.abs(acc - bestAcc) <= 1 / val.count + 1e-9, `model ${acc} vs best ${bestAcc}`);
  assert.ok(history[history.length - 1].learningRate < 3e-3);
  // with an output folder the best epoch's weights are kept on disk, and the run ends with exactly
  // those weights (read back from the file: no arithmetic, so they must be equal bit for bit)
  const { dir, cleanup } = tempDir();
  try {
    const onDisk = await train({ train: mk(20, 1), validation: mk(5, 2), config, outDir: dir });
    assert.ok(existsSync(join(dir, 'best', 'weights.bin')));
    const best = getArchitecture('tiny').build({ seed: 99, numClasses: 7, inputSize: 48 });
    readModelWeights(join(dir, 'best'), best);
    const a = best.getWeights().map((w) => Array.from(w.dataSync()));
    const b = onDisk.model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(b, a);
    best.dispose();
    onDisk.model.dispose();
  } finally {
    cleanup();
  }
  model.dispose();
});

test('init: training starts from a saved or exported model of the same architecture, and refuses another architecture', async () => {
  const { pixels, labels } = syntheticFaces(6, 7, 4);
  const data = makeDataset({ pixels, labels, ids: Array.from(labels, (_, i) => `s${i}`) });
  const { dir, cleanup } = tempDir();
  try {
    const source = await train({ train: data, config: { arch: 'tiny', epochs: 1, batchSize: 16, seed: 3 }, outDir: join(dir, 'a') });
    // no epochs run: the model holds exactly the saved weights, not the seed-7 initialisation
    const started = await train({ train: data, config: { arch: 'tiny', epochs: 1, seed: 7 }, init: join(dir, 'a'), stopAfterEpoch: 0 });
    const a = source.model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(
      started.model.getWeights().map((w) => Array.from(w.dataSync())),
      a,
    );
    const fresh = await train({ train: data, config: { arch: 'tiny', epochs: 1, seed: 7 }, stopAfterEpoch: 0 });
    assert.notDeepEqual(
      fresh.model.getWeights().map((w) => Array.from(w.dataSync())),
      a,
    );
    for (const m of [source.model, started.model, fresh.model]) m.dispose();
    await assert.rejects(
      train({ train: data, config: { arch: 'paper', epochs: 1 }, init: join(dir, 'a'), stopAfterEpoch: 0 }),
      /holds a tiny model, not paper; set config.arch to tiny/,
    );
    // an exported copy, batch norms folded: unfolded on the training faces into the same function
    const fast = await train({ train: data, config: { arch: 'fast', epochs: 1, batchSize: 16, seed: 3 }, outDir: join(dir, 'f') });
    fast.model.dispose();
    const exported = await exportModel(join(dir, 'f'), join(dir, 'folded'));
    assert.equal(exported.folded, true);
    const fromExport = await train({ train: data, config: { arch: 'fast', epochs: 1, seed: 7 }, init: join(dir, 'folded'), stopAfterEpoch: 0 });
    const folded = await loadModel(join(dir, 'folded'));
    const [p, q] = [await predictProbabilities(folded.model, pixels), await predictProbabilities(fromExport.model, pixels)];
    const diff = p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i])), 0);
    assert.ok(diff < 1e-4, `max probability difference ${diff}`);
    folded.model.dispose();
    fromExport.model.dispose();
  } finally {
    cleanup();
  }
});
