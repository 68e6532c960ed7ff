/** Models of unknown origin: each damaged or mismatched file is a BAD_MODEL error naming the file and the problem. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from './engine.js';
import { loadModel, modelFingerprint, readMetadata, saveModel } from '../store/folder.js';
import { FerkitError } from '../core/errors.js';
import { getArchitecture } from '../core/models/architectures.js';
import { loadModelFrom, type ModelFiles } from '../core/models/loader.js';
import { DEFAULT_PREPROCESSING } from '../core/models/metadata.js';
import { EMOTIONS } from '../core/labels.js';
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

test('a calibration temperature of 0, negative, NaN, a string, or outside [0.05, 20]: refused, naming ferkit.json', async () => {
  const dir = await modelFolder();
  const calibration = { eceBefore: 0.1, eceAfter: 0.05, nllBefore: 1.2, nllAfter: 1.1, fittedOn: 'x', samples: 100 };
  // 5e-324 made every probability NaN, and the service answer 500; 1e6 makes every face 1/7 of each emotion
  for (const temperature of [0, -1, 'NaN', null, '1', 5e-324, 0.049, 20.5, 1e6]) {
    editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: { ...calibration, temperature } }));
    await refused(dir, /ferkit\.json has calibration temperature .* must lie between 0\.05 and 20\. Fit it again with `ferkit calibrate`/);
  }
  for (const temperature of [0.05, 20]) {
    editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: { ...calibration, temperature } }));
    (await loadModel(dir)).model.dispose();
  }
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: { temperature: 1.5, classBias: [0, 0, 0] } }));
  await refused(dir, /classBias that is not 7 numbers between -10 and 10/);
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: { temperature: 1.5, classBias: [0, 0, 0, 0, 0, 0, 800] } }));
  await refused(dir, /classBias that is not 7 numbers between -10 and 10/);
  // the figures recorded beside them: what they say they are
  for (const [key, value] of [
    ['eceAfter', 3],
    ['nllBefore', -1],
    ['macroF1After', 'x'],
    ['samples', 1.5],
  ] as const) {
    editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: { ...calibration, temperature: 1, [key]: value } }));
    await refused(dir, new RegExp(`has calibration ${key} `));
  }
  editJson(join(dir, 'ferkit.json'), (m) => ({ ...m, calibration: undefined, preprocessing: { ...DEFAULT_PREPROCESSING, scale: 1e300 } }));
  await refused(dir, /preprocessing\.scale 1e\+300; it must lie between 1e-6 and 1/);
});

test('finite weights whose inference is not: one probe on a blank face at load refuses them', async () => {
  const dir = await modelFolder();
  const bin = readFileSync(join(dir, 'weights.bin'));
  // every weight 1e30: each is finite, and the weight checks pass; together they overflow to Infinity and NaN
  new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4).fill(1e30);
  writeFileSync(join(dir, 'weights.bin'), bin);
  const tensors = tf.memory().numTensors;
  await refused(
    dir,
    /the model gives the probabilities \[.*\] for a blank face, not 7 finite numbers summing to 1; its weights or its calibration are damaged/,
  );
  assert.equal(tf.memory().numTensors, tensors, 'the refused model is disposed');
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

/** Loading `dir` is refused, fast, without reading what `weights.bin` or `ferkit.json` lead to. */
async function refusedFast(dir: string, problem: RegExp): Promise<void> {
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  await refused(dir, problem);
  assert.ok(performance.now() - t0 < 10_000, `${performance.now() - t0} ms`);
  assert.ok(process.memoryUsage().rss - rss0 < 256 * 2 ** 20, 'nothing big was read');
}

test("model files that are links out of the folder: refused before a byte is read (/dev/zero, another model's weights)", async () => {
  const dir = await modelFolder();
  const good = readFileSync(join(dir, 'weights.bin'));
  // weights.bin -> /dev/zero read 6 GB in 40 s; ferkit.json -> /dev/zero as much
  rmSync(join(dir, 'weights.bin'));
  symlinkSync('/dev/zero', join(dir, 'weights.bin'));
  await refusedFast(dir, /weights\.bin is a link to \/dev\/zero, outside the model's folder; only files inside it are read/);
  rmSync(join(dir, 'weights.bin'));
  writeFileSync(join(dir, 'weights.bin'), good);
  const meta = readFileSync(join(dir, 'ferkit.json'));
  rmSync(join(dir, 'ferkit.json'));
  symlinkSync('/dev/zero', join(dir, 'ferkit.json'));
  await refusedFast(dir, /ferkit\.json is a link to \/dev\/zero, outside the model's folder/);
  assert.throws(() => readMetadata(dir), /ferkit\.json is a link to \/dev\/zero/);
  rmSync(join(dir, 'ferkit.json'));
  writeFileSync(join(dir, 'ferkit.json'), meta);
  // a link to another model's weights, of exactly the right size: still outside, still refused
  const other = await modelFolder();
  rmSync(join(dir, 'weights.bin'));
  symlinkSync(join(other, 'weights.bin'), join(dir, 'weights.bin'));
  await refused(dir, /weights\.bin is a link to .*m\d+\/weights\.bin, outside the model's folder/);
  assert.throws(() => modelFingerprint(dir), /outside the model's folder/);
  // a link that stays inside the folder is followed; so is a folder reached through a link
  rmSync(join(dir, 'weights.bin'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'w.bin'), good);
  symlinkSync(join('data', 'w.bin'), join(dir, 'weights.bin'));
  (await loadModel(dir)).model.dispose();
  symlinkSync(dir, join(root, 'linked-model'));
  (await loadModel(join(root, 'linked-model'))).model.dispose();
});

test(
  'model files that are FIFOs, folders or too big: refused before reading, a FIFO without hanging',
  { skip: process.platform === 'win32' && 'no FIFOs' },
  async () => {
    const dir = await modelFolder();
    const good = readFileSync(join(dir, 'weights.bin'));
    rmSync(join(dir, 'weights.bin'));
    execFileSync('mkfifo', [join(dir, 'weights.bin')]);
    await refusedFast(dir, /weights\.bin is a FIFO, not a regular file; a model's files are ordinary files inside its folder/);
    rmSync(join(dir, 'weights.bin'));
    mkdirSync(join(dir, 'weights.bin'));
    await refused(dir, /weights\.bin is a folder, not a regular file/);
    rmSync(join(dir, 'weights.bin'), { recursive: true });
    // one byte more than model.json's weights need: refused from the file's size, before it is read
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([good, Buffer.alloc(1)]));
    await refused(
      dir,
      new RegExp(`weights\\.bin holds ${(good.length + 1).toLocaleString('en-US')} bytes, more than the ${good.length.toLocaleString('en-US')} it may hold`),
    );
    writeFileSync(join(dir, 'weights.bin'), good);
    const meta = readFileSync(join(dir, 'ferkit.json'));
    rmSync(join(dir, 'ferkit.json'));
    execFileSync('mkfifo', [join(dir, 'ferkit.json')]);
    await refusedFast(dir, /ferkit\.json is a FIFO/);
    assert.throws(() => readMetadata(dir), /ferkit\.json is a FIFO/);
    rmSync(join(dir, 'ferkit.json'));
    writeFileSync(join(dir, 'ferkit.json'), meta);
    (await loadModel(dir)).model.dispose();
  },
);

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
