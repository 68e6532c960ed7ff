/** Models of unknown origin: each damaged or mismatched file is a BAD_MODEL error naming the file and the problem. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from './engine.js';
import { loadModel, saveModel } from './model-folder.js';
import { FerkitError } from '../errors.js';
import { getArchitecture } from '../models/architectures.js';
import { loadModelFrom, type ModelFiles } from '../models/loader.js';
import { DEFAULT_PREPROCESSING } from '../models/metadata.js';
import { EMOTIONS } from '../labels.js';
import { tempDir } from '../../test/fixtures.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');

const { dir: root, cleanup } = tempDir();
test.after(cleanup);

const META = { architecture: 'tiny', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
let n = 0;

/** A fresh tiny model folder, with `numClasses` outputs. */
async function modelFolder(numClasses = 7, meta: Record<string, unknown> = {}): Promise<string> {
  const dir = join(root, `m${++n}`);
  const model = getArchitecture('tiny').build({ seed: 3, numClasses, inputSize: 48 });
  await saveModel(model, dir, { ...META, ...meta } as typeof META);
  model.dispose();
  return dir;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
function editJson(path: string, edit: (j: Record<string, unknown>) => unknown): void {
  writeFileSync(path, JSON.stringify(edit(readJson(path))));
}

/** Loading `dir` fails with BAD_MODEL, naming the folder and matching `problem`. */
async function refused(dir: string, problem: RegExp): Promise<void> {
  await assert.rejects(loadModel(dir), (err: unknown) => {
    assert.ok(err instanceof FerkitError, `not a FerkitError: ${String(err)}`);
    assert.equal(err.code, 'BAD_MODEL', err.message);
    assert.equal(err.file, dir);
    assert.ok(err.message.startsWith(dir), err.message);
    assert.match(err.message, problem);
    assert.ok(err.message.length < 600, `message of ${err.message.length} characters`);
    return true;
  });
}

test('a good model folder loads', async () => {
  const { model } = await loadModel(await modelFolder());
  model.dispose();
});

test('weights holding NaN or Infinity: refused, naming the weight file and the weight', async () => {
  const dir = await modelFolder();
  const bin = readFileSync(join(dir, 'weights.bin'));
  const floats = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  floats[5] = NaN;
  writeFileSync(join(dir, 'weights.bin'), bin);
  await refused(dir, /weights\.bin holds NaN in weight conv1\/kernel/);
  floats[5] = 0;
  floats[floats.length - 1] = Infinity;
  writeFileSync(join(dir, 'weights.bin'), bin);
  await refused(dir, /weights\.bin holds Infinity in weight output\/bias/);
});

test('a calibration temperature of 0, negative, NaN or a string: refused, naming ferkit.json', async () => {
  const dir = await modelFolder();
  for (const temperature of [0, -1, 'NaN', null, '1']) {
    editJson(join(dir, 'ferkit.json'), (m) => ({
      ...m,
      calibration: { temperature, eceBefore: 0, eceAfter: 0, nllBefore: 0, nllAfter: 0, fittedOn: 'x', samples: 1 },
    }));
    await refused(dir, /ferkit\.json has calibration temperature .* must be a finite positive number/);
  }
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: { temperature: 1.5, classBias: [0, 0, 0] } }));
  await refused(dir, /classBias that is not 7 finite numbers/);
});

test('an equalisation this ferkit does not know: refused, naming ferkit.json and the ones it knows', async () => {
  const dir = await modelFolder(7, { preprocessing: { ...DEFAULT_PREPROCESSING, equalize: 'clahe' } });
  const { model } = await loadModel(dir);
  model.dispose();
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, preprocessing: { ...DEFAULT_PREPROCESSING, equalize: 'retinex' } }));
  await refused(dir, /ferkit\.json has preprocessing\.equalize retinex; this ferkit knows histogram and clahe/);
});

test('model.json = {} or not a layers model: refused, naming model.json', async () => {
  const dir = await modelFolder();
  writeFileSync(join(dir, 'model.json'), '{}');
  await refused(dir, /model\.json is not|model\.json has no modelTopology/);
  writeFileSync(join(dir, 'model.json'), '[1,2]');
  await refused(dir, /model\.json is not a TensorFlow\.js layers model/);
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'x', shape: [-1] }] }] }),
  );
  await refused(dir, /malformed weight entry/);
});

test('ferkit.json with 5 labels, unknown or repeated labels: refused', async () => {
  const dir = await modelFolder();
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, labels: EMOTIONS.slice(0, 5) }));
  await refused(dir, /ferkit\.json must list the seven emotions/);
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, labels: [...EMOTIONS.slice(0, 6), 'angry'] }));
  await refused(dir, /seven emotions/);
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, labels: [...EMOTIONS.slice(0, 6), 'x'.repeat(5000)] }));
  await refused(dir, /seven emotions/);
});

test('a network with 5 outputs under ferkit.json with 7 labels: refused', async () => {
  const dir = await modelFolder(5);
  await refused(dir, /model\.json gives 5 outputs, but ferkit\.json lists 7 labels/);
});

test('architecture and parameter count must match ferkit.json', async () => {
  const dir = await modelFolder();
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, architecture: 'paper' }));
  await refused(dir, /holds a "tiny" network, but ferkit\.json says architecture "paper"/);
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, architecture: 'tiny', parameters: 12 }));
  await refused(dir, /parameters, but ferkit\.json records 12/);
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, parameters: undefined, preprocessing: { ...DEFAULT_PREPROCESSING, inputSize: 64 } }));
  await refused(dir, /not the 64x64 grey picture/);
});

test('weight paths outside the model folder are never read', async () => {
  const dir = await modelFolder();
  const secret = join(root, 'secret.bin');
  writeFileSync(secret, readFileSync(join(dir, 'weights.bin')));
  for (const path of ['../secret.bin', '../../../../etc/passwd', secret, 'sub/../../secret.bin', 'C:\\Windows\\x.bin', 'file:///etc/passwd', '']) {
    editJson(join(dir, 'model.json'), (m) => ({ ...m, weightsManifest: [{ ...(m.weightsManifest as object[])[0], paths: [path] }] }));
    await refused(dir, /outside the model's folder/);
  }
  // through any ModelFiles (a URL, memory): the loader asks for no such path
  const asked: string[] = [];
  const files: ModelFiles = {
    location: 'memory',
    async read(path) {
      asked.push(path);
      return path === 'model.json' || path === 'ferkit.json' ? readFileSync(join(dir, path)) : undefined;
    },
  };
  await assert.rejects(loadModelFrom(files), (err: FerkitError) => err.code === 'BAD_MODEL' && /outside/.test(err.message));
  assert.ok(
    asked.every((p) => p === 'model.json' || p === 'ferkit.json'),
    asked.join(', '),
  );
});

test('ensemble members outside the folder are refused', async () => {
  const dir = await modelFolder();
  rmSync(join(dir, 'model.json'));
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, members: ['../m1'] }));
  await refused(dir, /member folder "\.\.\/m1", outside the model's folder/);
});

test('a folder without ferkit.json is refused, with the command that completes an interrupted training run', async () => {
  const dir = await modelFolder();
  rmSync(join(dir, 'ferkit.json'));
  await refused(dir, /ferkit\.json is missing/);
  mkdirSync(join(dir, 'checkpoint'));
  writeFileSync(join(dir, 'checkpoint', 'state.json'), '{}');
  await refused(dir, /ferkit\.json is missing: the training run .* again with --resume/);
});

test('ferkit.json that is not JSON: refused with a short excerpt only', async () => {
  const dir = await modelFolder();
  writeFileSync(join(dir, 'ferkit.json'), '{"labels": "' + 'a'.repeat(100_000));
  await refused(dir, /ferkit\.json is not valid JSON/);
});
