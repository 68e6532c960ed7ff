import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../node/engine.js';
import { makeDataset } from '../data/dataset.js';
import { loadModel, modelFingerprint } from '../store/folder.js';
import { predictProbabilities } from '../core/models/predict.js';
import { accuracy } from '../eval/metrics.js';
import { argmaxRows } from '../core/numeric.js';
import { PROJECT_ROOT, needs, syntheticFaces, tempDir } from '../../test/fixtures.js';
import { mixTargets, teacherTargets } from './distill.js';
// the library's train (ferkit/train), which gives a teacher Node's platform
import { train } from '../entries/train.js';
import { DISTILL_DEFAULTS } from './config.js';
import { nodePlatform } from '../node/platform.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto', { training: true });

function data(perClass: number, seed: number, relabel?: (label: number) => number) {
  const { pixels, labels } = syntheticFaces(perClass, 7, seed);
  return makeDataset({ pixels, labels: relabel ? labels.map(relabel) : labels, ids: Array.from(labels, (_, i) => `synthetic:${i}`) });
}

const entropy = (p: Float32Array, k = 7) => {
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return h / (p.length / k);
};

test('mixTargets: row-wise (1 - w) * own + w * teacher; sizes must agree', () => {
  const own = Float32Array.from([1, 0, 0, 0, 1, 0]);
  const teacher = Float32Array.from([0.5, 0.5, 0, 0.2, 0.2, 0.6]);
  assert.deepEqual(
    [...mixTargets(own, teacher, 0.25)].map((v) => +v.toFixed(6)),
    [0.875, 0.125, 0, 0.05, 0.8, 0.15],
  );
  assert.deepEqual([...mixTargets(own, teacher, 0)], [...own]);
  assert.throws(() => mixTargets(own, teacher.subarray(0, 3), 0.5), /differ in size/);
});

test('distillation: the student learns the teacher, not the labels it is given; teacher targets, settings and resume are checked', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // a teacher that knows the task
    const teacherDir = join(dir, 'teacher');
    const t = await train({
      train: data(30, 1),
      validation: data(6, 2),
      config: { arch: 'tiny', epochs: 6, batchSize: 16, learningRate: 3e-3, seed: 3 },
      outDir: teacherDir,
    });
    t.model.dispose();
    const check = data(6, 7);

    // its targets: the mirror-averaged probabilities at T = 1, softer at T = 3, rows summing to 1
    const plain = await teacherTargets(teacherDir, check, { temperature: 1, startClassifier: nodePlatform().startClassifier });
    const { model: teacherModel } = await loadModel(teacherDir);
    const expected = await predictProbabilities(teacherModel, check.pixels, 256, { tta: true });
    teacherModel.dispose();
    // float32 on the engine against float64 here: rounding only
    for (let i = 0; i < plain.length; i++) assert.ok(Math.abs(plain[i] - expected[i]) < 1e-5);
    const soft = await teacherTargets(teacherDir, check, { temperature: 3, startClassifier: nodePlatform().startClassifier });
    assert.ok(entropy(soft) > entropy(plain) + 0.05, `entropy ${entropy(plain)} -> ${entropy(soft)} at T=3`);
    for (let r = 0; r < check.count; r++) assert.ok(Math.abs(soft.subarray(r * 7, r * 7 + 7).reduce((a, b) => a + b, 0) - 1) < 1e-5);

    // a student given wrong labels (every class shifted by one) follows them alone, the teacher with weight 1
    const wrong = data(30, 1, (c) => (c + 1) % 7);
    const config = { arch: 'tiny', epochs: 6, batchSize: 16, learningRate: 3e-3, seed: 5 };
    const truthOf = async (m: { model: import('@tensorflow/tfjs').LayersModel }) => {
      const acc = accuracy(check.labels, argmaxRows(await predictProbabilities(m.model, check.pixels), 7));
      m.model.dispose();
      return acc;
    };
    const alone = await truthOf(await train({ train: wrong, config }));
    const studentDir = join(dir, 'student');
    const distilled = await truthOf(
      await train({ train: wrong, config: { ...config, distillWeight: 1, distillTemperature: 2 }, teacher: teacherDir, outDir: studentDir }),
    );
    assert.ok(alone < 0.3, `trained on the shifted labels alone: ${alone} right`);
    assert.ok(distilled > 0.8, `distilled from the teacher: ${distilled} right`);
    const training = JSON.parse(readFileSync(join(studentDir, 'ferkit.json'), 'utf8')).training;
    assert.equal(training.teacher, teacherDir);
    assert.equal(training.distillWeight, 1);
    assert.equal(training.distillTemperature, 2);
    assert.equal(training.teacherSha256, modelFingerprint(teacherDir));

    // settings that cannot work are refused; a checkpoint resumes only with its own teacher
    await assert.rejects(train({ train: wrong, config: { ...config, distillWeight: 0.5 } }), /needs a teacher model/);
    await assert.rejects(train({ train: wrong, config: { ...config, distillWeight: 0 }, teacher: teacherDir }), /needs a distillation weight above 0/);
    await assert.rejects(train({ train: wrong, config: { ...config, distillWeight: 1.5 }, teacher: teacherDir }), /distillation weight must be in \[0, 1\]/);
    const resumeWith = (teacher: string, distillWeight = 1) =>
      train({ train: wrong, config: { ...config, distillWeight, distillTemperature: 2, epochs: 7 }, teacher, outDir: studentDir, resume: true });
    const copy = join(dir, 'copy');
    cpSync(teacherDir, copy, { recursive: true });
    await assert.rejects(resumeWith(copy), /teacher=".*teacher", not ".*copy"/);
    await assert.rejects(resumeWith(teacherDir, 0.5), /distillWeight=1, not 0.5/);
    // the same folder, now holding another model
    const other = await train({
      train: data(30, 1),
      config: { arch: 'tiny', epochs: 1, batchSize: 16, learningRate: 3e-3, seed: 4 },
      outDir: join(dir, 'other'),
    });
    other.model.dispose();
    cpSync(join(dir, 'other', 'weights.bin'), join(teacherDir, 'weights.bin'));
    await assert.rejects(resumeWith(teacherDir), /teacherSha256=/);
  } finally {
    cleanup();
  }
});

test(
  'train({ teacher }) from the library distils with the defaults the CLI uses (weight 0.5, temperature 2)',
  { skip: needs(join(PROJECT_ROOT, 'models', 'default', 'model.json'), 'the bundled default model') },
  async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'student');
      const r = await train({ train: data(2, 1), config: { arch: 'tiny', epochs: 1, batchSize: 8 }, teacher: 'default', outDir: out });
      r.model.dispose();
      assert.deepEqual([r.config.distillWeight, r.config.distillTemperature], [DISTILL_DEFAULTS.distillWeight, DISTILL_DEFAULTS.distillTemperature]);
      assert.deepEqual(DISTILL_DEFAULTS, { distillWeight: 0.5, distillTemperature: 2 });
      const training = JSON.parse(readFileSync(join(out, 'ferkit.json'), 'utf8')).training;
      assert.deepEqual([training.teacher, training.distillWeight, training.distillTemperature], ['default', 0.5, 2]);
    } finally {
      cleanup();
    }
  },
);
