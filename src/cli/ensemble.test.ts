import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../node/engine.js';
import { DEFAULT_PREPROCESSING } from '../models/metadata.js';
import { loadModel, saveModel } from '../node/model-folder.js';
import { getArchitecture } from '../models/architectures.js';
import { predictProbabilities } from '../models/predict.js';
import { EMOTIONS } from '../labels.js';
import { syntheticFaces, tempDir } from '../../test/fixtures.js';
import { ensembleCommand } from './ensemble.js';
import { exportCommand } from './export.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');

test("ensemble: a folder of members loads as one model whose probabilities are the members' mean", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const members = [];
    for (const seed of [1, 2, 3]) {
      const model = getArchitecture('tiny').build({ seed, numClasses: 7, inputSize: 48 });
      await saveModel(model, join(dir, `m${seed}`), {
        architecture: 'tiny',
        labels: [...EMOTIONS],
        preprocessing: DEFAULT_PREPROCESSING,
        calibration: { temperature: 3, eceBefore: 0, eceAfter: 0, nllBefore: 0, nllAfter: 0, fittedOn: 'x', samples: 1 },
      });
      members.push(model);
    }
    const out = join(dir, 'ens');
    let printed = '';
    assert.equal(
      await ensembleCommand(['--models', ['m1', 'm2', 'm3'].map((m) => join(dir, m)).join(','), '--out', out], (s) => {
        printed += s;
      }),
      0,
    );
    assert.match(printed, /ensemble of 3 models/);
    assert.ok(existsSync(join(out, 'member-3', 'weights.bin')));
    const { model, meta } = await loadModel(out);
    assert.deepEqual(meta.members, ['member-1', 'member-2', 'member-3']);
    assert.equal(meta.architecture, 'ensemble(tiny+tiny+tiny)');
    assert.equal(meta.calibration, undefined, "members' temperatures are not the ensemble's");
    assert.equal(
      meta.parameters,
      members.reduce((s, m) => s + m.countParams(), 0),
    );
    const { pixels } = syntheticFaces(3, 7, 5);
    const mean = await predictProbabilities(model, pixels);
    const each = await Promise.all(members.map((m) => predictProbabilities(m, pixels)));
    // the ensemble averages in float32 on the engine, the test in float64: rounding only, well under 1e-5
    for (let i = 0; i < mean.length; i++) assert.ok(Math.abs(mean[i] - (each[0][i] + each[1][i] + each[2][i]) / 3) < 1e-5);
    model.dispose();
    members.forEach((m) => m.dispose());

    await assert.rejects(
      ensembleCommand(['--models', join(dir, 'm1'), '--out', join(dir, 'one')], () => {}),
      /two or more model folders/,
    );
    await assert.rejects(
      ensembleCommand(['--models', `${join(dir, 'm1')},${out}`, '--out', join(dir, 'nested')], () => {}),
      /not a single model folder/,
    );
    await assert.rejects(
      ensembleCommand(['--models', `${join(dir, 'm1')},${join(dir, 'm2')}`, '--out', out], () => {}),
      /exists; --out must be a new folder/,
    );
    await assert.rejects(
      exportCommand(['--model', out, '--out', join(dir, 'exp')], () => {}),
      /is an ensemble: export each member/,
    );
  } finally {
    cleanup();
  }
});
