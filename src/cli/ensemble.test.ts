import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../node/engine.js';
import { DEFAULT_PREPROCESSING } from '../core/models/metadata.js';
import { loadModel, readMetadata, saveModel } from '../store/folder.js';
import { FACE_API_EXPRESSIONS } from '../core/models/face-api-expression.js';
import { evalCommand } from './eval.js';
import { getArchitecture } from '../core/models/architectures.js';
import { predictProbabilities } from '../core/models/predict.js';
import { EMOTIONS } from '../core/labels.js';
import { needs, SHARED_DATA, syntheticFaces, tempDir } from '../../test/fixtures.js';
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

test('ensemble --weights/--combine: with face-api.js as a member, evaluated by eval; mistyped weights and modes refused before anything is written', async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'mixed');
    await assert.rejects(
      ensembleCommand(['--models', `default,${FACE_API_EXPRESSIONS}`, '--weights', '0.75,x', '--out', out], () => {}),
      /--weights must be a number/,
    );
    await assert.rejects(
      ensembleCommand(['--models', `default,${FACE_API_EXPRESSIONS}`, '--weights', '0.5,0.4', '--out', out], () => {}),
      /sum to 0\.9, not 1/,
    );
    await assert.rejects(
      ensembleCommand(['--models', `default,${FACE_API_EXPRESSIONS}`, '--weights', '1', '--out', out], () => {}),
      /1 ensemble weights for 2 members/,
    );
    await assert.rejects(
      ensembleCommand(['--models', `default,${FACE_API_EXPRESSIONS}`, '--combine', 'geometric', '--out', out], () => {}),
      /use probabilities or log/,
    );
    assert.ok(!existsSync(out));

    let printed = '';
    assert.equal(
      await ensembleCommand(['--models', `default,${FACE_API_EXPRESSIONS}`, '--weights', '0.75,0.25', '--combine', 'log', '--out', out], (s) => {
        printed += s;
      }),
      0,
    );
    assert.match(
      printed,
      /ensemble of 2 models \([\d,]+ parameters\), normalised weighted mean of the log-probabilities of 0\.75 x vgg, 0\.25 x face-api-expression/,
    );
    const meta = readMetadata(out);
    assert.deepEqual([meta.memberWeights, meta.combine, meta.architecture], [[0.75, 0.25], 'log', 'ensemble(vgg+face-api-expression)']);

    const data = join(SHARED_DATA, 'ckplus48-dev');
    const missing = needs(data, 'the CK+48 crops (../shared/data/ckplus48-dev)');
    if (missing) return t.skip(missing);
    for (const model of [FACE_API_EXPRESSIONS, out]) {
      let json = '';
      const logged: string[] = [];
      await evalCommand(
        ['--data', data, '--limit', '2', '--model', model, '--json'],
        (s) => logged.push(s),
        (s) => (json += s),
      );
      const r = JSON.parse(json) as { samples: number; accuracy: number };
      // two faces of each of CK+'s emotions that are ferkit's
      assert.ok(r.samples >= 10 && r.samples <= 14, `${r.samples} faces`);
      assert.ok(r.accuracy >= 0 && r.accuracy <= 1);
      assert.match(logged.join('\n'), model === out ? /members combined \(log\)/ : /face-api\.js's expression net/);
    }
  } finally {
    cleanup();
  }
});
