import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../node/engine.js';
import { makeDataset } from '../data/dataset.js';
import { train } from './train.js';
import { TRAINING_LOG as LOG_FILE } from '../core/models/metadata.js';
import { keepBest } from './callbacks.js';
import type { TrainCallbacks } from './types.js';
import { loadModel } from '../store/folder.js';
import { modelProbabilities, predictProbabilities } from '../core/models/predict.js';
import { argmaxRows } from '../core/numeric.js';
import { plateauScale } from './schedule.js';
import { syntheticFaces, tempDir } from '../../test/fixtures.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto', { training: true });

function data(perClass: number, seed: number) {
  const { pixels, labels } = syntheticFaces(perClass, 7, seed);
  return makeDataset({ pixels, labels, ids: Array.from(labels, (_, i) => `synthetic:${i}`) });
}

test('a short training run lowers the loss and learns an easy task; no tensor leaks', async () => {
  const { history, model } = await train({
    train: data(30, 1),
    validation: data(6, 2),
    config: { arch: 'tiny', epochs: 6, batchSize: 16, learningRate: 3e-3, seed: 3 },
  });
  assert.equal(history.length, 6);
  assert.ok(history[5].loss < history[0].loss * 0.8, `loss ${history[0].loss} -> ${history[5].loss}`);
  assert.ok(history[5].valAccuracy! > 0.5, `validation accuracy ${history[5].valAccuracy}`);
  // per-class validation figures: 6 faces per class, so every recall is a multiple of 1/6 and their mean is the accuracy
  const recall = history[5].valRecall!;
  assert.equal(recall.length, 7);
  for (const r of recall) assert.ok(Math.abs(r * 6 - Math.round(r * 6)) < 1e-9, `recall ${r}`);
  assert.ok(Math.abs(recall.reduce((a, b) => a + b, 0) / 7 - history[5].valAccuracy!) < 1e-9);
  assert.ok(history[5].valMacroF1! > 0 && history[5].valMacroF1! <= 1);
  const counts = history.slice(1).map((h) => h.numTensors);
  assert.ok(
    counts.every((c) => c === counts[0]),
    `tensor count per epoch: ${counts.join(', ')}`,
  );
  model.dispose();
});

test('mixup trains (the loss falls, the saved model records its alpha) and a bad alpha is refused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { history, model } = await train({
      train: data(20, 6),
      validation: data(4, 7),
      config: { arch: 'tiny', epochs: 2, batchSize: 16, learningRate: 3e-3, seed: 3, mixup: 0.4 },
      outDir: dir,
    });
    model.dispose();
    assert.equal(history.length, 2);
    assert.ok(Number.isFinite(history[1].loss) && history[1].loss < history[0].loss, `loss ${history[0].loss} -> ${history[1].loss}`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'ferkit.json'), 'utf8')).training.mixup, 0.4);
  } finally {
    cleanup();
  }
  await assert.rejects(train({ train: data(2, 6), config: { arch: 'tiny', epochs: 1, mixup: -1 } }), /mixup alpha must be a number >= 0/);
});

test('equalisation: the saved model records it, and using the model applies it to the faces as training did', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const validation = data(4, 9);
    const { model } = await train({
      train: data(20, 8),
      validation,
      config: { arch: 'tiny', epochs: 2, batchSize: 16, learningRate: 3e-3, seed: 3, equalize: 'histogram' },
      outDir: dir,
    });
    model.dispose();
    const saved = await loadModel(dir);
    try {
      assert.equal(saved.meta.preprocessing.equalize, 'histogram');
      assert.equal(saved.meta.training?.equalize, 'histogram');
      // the raw validation faces, through the path every use takes, score what training measured on its equalised copies
      const predicted = argmaxRows(await modelProbabilities(saved.model, saved.meta, validation.pixels), 7);
      const accuracy = predicted.filter((p, i) => p === validation.labels[i]).length / validation.count;
      assert.equal(accuracy, (saved.meta.metrics?.validation as { accuracy: number }).accuracy);
    } finally {
      saved.model.dispose();
    }
  } finally {
    cleanup();
  }
  await assert.rejects(
    train({ train: data(2, 6), config: { arch: 'tiny', epochs: 1, equalize: 'sharpen' as never } }),
    /equalize must be none, histogram or clahe/,
  );
});

test('SGD with Nesterov momentum and reduce-on-plateau: the loss falls, the rate drops on a plateau, and a resumed run repeats it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // patience 1 and a learning rate too high to keep improving: the rate must drop during the run
    const config = {
      arch: 'tiny',
      epochs: 4,
      batchSize: 16,
      learningRate: 0.05,
      seed: 5,
      optimizer: 'sgd' as const,
      schedule: 'plateau' as const,
      plateauPatience: 1,
    };
    const straight = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'a') });
    const rates = straight.history.map((h) => h.learningRate);
    assert.ok(straight.history[3].loss < straight.history[0].loss, `loss ${straight.history.map((h) => h.loss.toFixed(3)).join(' ')}`);
    // each epoch's rate is the peak times the reductions earned by the epochs before it
    assert.ok(rates.at(-1)! < 0.05, `rates ${rates.join(' ')}`);
    rates.forEach((r, i) =>
      assert.equal(
        r,
        0.05 *
          plateauScale(
            straight.history.slice(0, i).map((h) => h.valAccuracy),
            1,
            0.5,
          ),
        `epoch ${i + 1}`,
      ),
    );
    const first = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'b'), stopAfterEpoch: 2 });
    first.model.dispose();
    const resumed = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'b'), resume: true });
    resumed.history.forEach((h, i) => assert.ok(Math.abs(h.loss - straight.history[i].loss) <= 1e-5 * Math.abs(straight.history[i].loss), `epoch ${i + 1}`));
    await assert.rejects(
      train({ train: data(10, 4), validation: data(3, 5), config: { ...config, optimizer: 'adam' }, outDir: join(dir, 'b'), resume: true }),
      /optimizer=sgd/,
    );
    straight.model.dispose();
    resumed.model.dispose();
  } finally {
    cleanup();
  }
  await assert.rejects(train({ train: data(2, 6), config: { arch: 'tiny', schedule: 'plateau' } }), /plateau schedule needs validation/);
  await assert.rejects(train({ train: data(2, 6), config: { arch: 'tiny', optimizer: 'rmsprop' as never } }), /optimizer must be adam or sgd/);
});

test('checkpoints every epoch; --resume continues to the same training; log and model written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = { arch: 'tiny', epochs: 3, batchSize: 16, learningRate: 1e-3, seed: 11 };
    const straight = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'a') });
    const provenance = { split: 0.2, splitSeed: 1 };
    const first = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'b'), stopAfterEpoch: 1, provenance });
    first.model.dispose();
    assert.ok(existsSync(join(dir, 'b', 'checkpoint', 'state.json')));
    assert.ok(!existsSync(join(dir, 'b', 'model.json')), 'no final model before the run ends');
    await assert.rejects(train({ train: data(10, 4), config, outDir: join(dir, 'b') }), /set resume to continue it/);
    await assert.rejects(train({ train: data(10, 4), config: { ...config, seed: 12 }, outDir: join(dir, 'b'), resume: true }), /seed=11/);
    // other images (another split seed, another count) cannot continue the run
    await assert.rejects(
      train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'b'), resume: true, provenance: { ...provenance, splitSeed: 2 } }),
      /splitSeed=1, not 2/,
    );
    await assert.rejects(
      train({ train: data(9, 4), validation: data(3, 5), config, outDir: join(dir, 'b'), resume: true, provenance }),
      /trainCount=70, not 63/,
    );
    const resumed = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'b'), resume: true, provenance });
    // The resumed run repeats the uninterrupted one: same batches, augmentations and dropout masks from
    // the checkpointed state. A multi-threaded engine need not sum in the same order from one run to the
    // next, so losses are compared to 1e-5 relative (engines and runs differ by about 3e-8 here) and
    // predictions to 1e-3 (Adam divides by the root of its second moment, so a weight whose gradient is
    // near 0 may move by up to a learning rate, 1e-3, apart from the other run: weights are not compared).
    resumed.history.forEach((h, i) =>
      assert.ok(
        Math.abs(h.loss - straight.history[i].loss) <= 1e-5 * Math.abs(straight.history[i].loss),
        `epoch ${i + 1}: ${h.loss} vs ${straight.history[i].loss}`,
      ),
    );
    const probe = data(2, 8).pixels;
    const [pa, pb] = [await predictProbabilities(straight.model, probe), await predictProbabilities(resumed.model, probe)];
    pa.forEach((p, i) => assert.ok(Math.abs(p - pb[i]) <= 1e-3, `probability ${i}: ${p} vs ${pb[i]}`));
    const log = readFileSync(join(dir, 'b', LOG_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      log.map((l) => l.epoch),
      [1, 2, 3],
    );
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) assert.equal(typeof log[2][key], 'number', key);
    // the saved model predicts what the trained one does, and carries its metadata
    const saved = await loadModel(join(dir, 'b'));
    assert.equal(saved.meta.architecture, 'tiny');
    assert.deepEqual(saved.meta.labels, ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
    assert.equal(saved.meta.preprocessing.inputSize, 48);
    assert.equal((saved.meta.training as { epochs: number }).epochs, 3);
    assert.equal(typeof (saved.meta.metrics as { validation: { accuracy: number } }).validation.accuracy, 'number');
    const modelJson = readFileSync(join(dir, 'b', 'model.json'), 'utf8');
    assert.ok(!modelJson.includes('SeededDropout'), 'saved topology uses standard Keras layers only');
    const px = data(2, 9).pixels;
    const p1 = await predictProbabilities(resumed.model, px);
    const p2 = await predictProbabilities(saved.model, px);
    // the same float32 weights, written and read back, on the same engine and batch: equal up to rounding
    for (let i = 0; i < p1.length; i++) assert.ok(Math.abs(p1[i] - p2[i]) < 1e-6);
    for (const m of [straight.model, resumed.model, saved.model]) m.dispose();
  } finally {
    cleanup();
  }
});

test('bad settings are refused with a message that names them', async () => {
  await assert.rejects(train({ train: data(1, 1), config: { arch: 'nope' } }), /unknown architecture "nope"; choose one of: paper, vgg, fast, xception, tiny/);
  await assert.rejects(train({ train: data(1, 1), config: { epochs: 0 } }), /epochs must be a positive integer/);
});

test('callbacks from the library: one can stop the run (saved as finished); keepBest() passed by hand records its epoch', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seen: number[] = [];
    const stopAtTwo: TrainCallbacks = {
      onEpochEnd(logs, ctx) {
        seen.push(ctx.history.length);
        if (logs.epoch === 2) ctx.stop();
      },
    };
    const r = await train({
      train: data(4, 1),
      validation: data(2, 2),
      config: { arch: 'tiny', epochs: 5, batchSize: 16 },
      outDir: dir,
      callbacks: [stopAtTwo, keepBest()],
    });
    r.model.dispose();
    assert.equal(r.history.length, 2);
    assert.deepEqual(seen, [1, 2]);
    const metrics = JSON.parse(readFileSync(join(dir, 'ferkit.json'), 'utf8')).metrics;
    assert.equal(metrics.epochs, 2);
    assert.ok([1, 2].includes(metrics.bestEpoch), `best epoch ${metrics.bestEpoch}`);
    assert.equal(readFileSync(join(dir, LOG_FILE), 'utf8').trim().split('\n').length, 2);
  } finally {
    cleanup();
  }
});

test('resume on a folder stopped before its first checkpoint: the run is done from the start, and says so', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const config = { arch: 'tiny', epochs: 2, batchSize: 16, learningRate: 1e-3, seed: 11 };
    const straight = await train({ train: data(10, 4), validation: data(3, 5), config, outDir: join(dir, 'a') });
    // what a run killed during its first epoch leaves: its folder, no checkpoint
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'b'));
    const notices: string[] = [];
    const resumed = await train({
      train: data(10, 4),
      validation: data(3, 5),
      config,
      outDir: join(dir, 'b'),
      resume: true,
      onNotice: (m) => notices.push(m),
    });
    assert.equal(notices.length, 1);
    assert.match(notices[0], /holds no checkpoint yet .*starting the run from the beginning/);
    assert.equal(resumed.history.length, 2);
    resumed.history.forEach((h, i) => assert.ok(Math.abs(h.loss - straight.history[i].loss) <= 1e-5 * Math.abs(straight.history[i].loss), `epoch ${i + 1}`));
    assert.ok(existsSync(join(dir, 'b', 'model.json')), 'the run completes with its model');
    straight.model.dispose();
    resumed.model.dispose();
  } finally {
    cleanup();
  }
});
