/**
 * The core's startClassifier on model files in memory and engines that are
 * fakes: what it runs each model on, the reasons it gives, ensembles member
 * by member, face-api.js's expression net by its files, and the runtime's
 * fallback in `auto` (and none in `onnx`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FerkitError } from '../errors.js';
import type { EngineChoice, EngineInfo } from '../engine.js';
import { subFiles, type ModelFiles } from '../files.js';
import { EMOTIONS } from '../labels.js';
import type { Classifier } from './classifier.js';
import { FACE_API_EXPRESSION_MANIFEST, faceApiExpressionMetadata } from './face-api-expression.js';
import type { FaceApiExpressionWeights } from './face-api-weights.js';
import { startClassifier, type ClassifierEngines } from './start.js';
import { PROJECT_ROOT } from '../../../test/fixtures.js';

const utf8 = new TextEncoder();

/** Files in memory, by path; every read is recorded. */
function memoryFiles(location: string, files: Record<string, Uint8Array | string>): ModelFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    location,
    reads,
    read(path: string) {
      reads.push(path);
      const f = files[path];
      return Promise.resolve(typeof f === 'string' ? utf8.encode(f) : f);
    },
  };
}

/** The files of a folder on disk, in memory, below `prefix`. */
function folderInMemory(dir: string, prefix = ''): Record<string, Uint8Array> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [`${prefix}${e.name}`, new Uint8Array(readFileSync(join(dir, e.name)))]),
  );
}

/** A classifier that answers `probs` for every face. */
function fakeClassifier(runtime: Classifier['runtime'], probs: readonly number[], disposed: string[] = [], name = ''): Classifier {
  return {
    runtime,
    numClasses: probs.length,
    run: (_batch, n) => Promise.resolve(Float32Array.from({ length: n * probs.length }, (_, i) => probs[i % probs.length])),
    dispose: () => disposed.push(name),
  };
}

const ONNX_ENGINE: EngineInfo = { backend: 'onnxruntime', native: true, reason: 'fake ONNX Runtime' };
const TFJS_ENGINE: EngineInfo = { backend: 'cpu', native: false, reason: 'fake TensorFlow.js' };

/** Fake engines: ONNX graphs become classifiers of `onnxProbs(bytes)` (or `onnxError` is thrown); every call is recorded. */
function fakeEngines(
  options: { onnxError?: Error; prebuilt?: (files: ModelFiles) => Uint8Array | undefined; onnxProbs?: (bytes: Uint8Array) => number[] } = {},
) {
  const calls: string[] = [];
  const backends: (EngineChoice | 'current' | undefined)[] = [];
  const engines: ClassifierEngines = {
    onnxName: 'fake-ort',
    onnxEngine: ONNX_ENGINE,
    version: '0.0.0-test',
    onnx(bytes) {
      calls.push(`onnx:${bytes.length}`);
      if (options.onnxError) return Promise.reject(options.onnxError);
      return Promise.resolve(fakeClassifier('onnxruntime', options.onnxProbs?.(bytes) ?? [1, 0, 0, 0, 0, 0, 0]));
    },
    tfjs(backend) {
      backends.push(backend);
      return Promise.resolve(TFJS_ENGINE);
    },
    prebuilt(files) {
      calls.push(`prebuilt:${files.location}`);
      return Promise.resolve(options.prebuilt?.(files));
    },
    faceApiNet(weights: FaceApiExpressionWeights) {
      calls.push(`faceApiNet:${weights.data.length}`);
      return Promise.resolve(fakeClassifier('tfjs', [0, 0, 0, 1, 0, 0, 0]));
    },
  };
  return { engines, calls, backends };
}

/** A ferkit.json for a network of `architecture`. */
function metadata(architecture: string, extra: object = {}): string {
  return JSON.stringify({ format: 'ferkit-model', formatVersion: 1, architecture, labels: [...EMOTIONS], preprocessing: { inputSize: 48, scale: 1 / 255 }, ...extra });
}

const FACE_API_DIR = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
const faceApiWeights = () => {
  const all = folderInMemory(FACE_API_DIR);
  return Object.fromEntries(Object.entries(all).filter(([name]) => name.startsWith('face_expression_model')));
};

test('a bundled model runs from the ONNX graph built for it, without TensorFlow.js; tfjs skips that graph', async () => {
  const built = new Uint8Array(100);
  const files = memoryFiles('models/default', { 'ferkit.json': metadata('vgg') });
  const { engines, calls, backends } = fakeEngines({ prebuilt: () => built });
  const loaded = await startClassifier(files, engines);
  assert.equal(loaded.reason, 'ONNX Runtime (fake-ort), the model as built with ferkit');
  assert.equal(loaded.engine, ONNX_ENGINE);
  assert.equal(loaded.meta.architecture, 'vgg');
  assert.deepEqual(calls, ['prebuilt:models/default', 'onnx:100']);
  assert.deepEqual(backends, []);
  // asked for TensorFlow.js, the graph is not looked for: the folder is read with TensorFlow.js (here it has no model.json)
  await assert.rejects(startClassifier(files, engines, { runtime: 'tfjs' }), (err: FerkitError) => err.code === 'MODEL_NOT_FOUND');
  assert.deepEqual(calls, ['prebuilt:models/default', 'onnx:100']);
});

test("an unknown runtime is refused, naming the ones there are", async () => {
  const { engines } = fakeEngines();
  await assert.rejects(startClassifier(memoryFiles('m', {}), engines, { runtime: 'gpu' as 'auto' }), (err: FerkitError) => {
    assert.equal(err.code, 'BAD_ARGUMENT');
    assert.match(err.message, /use auto, onnx or tfjs/);
    return true;
  });
});

test("face-api.js's own folder (its weights, no ferkit.json) runs as ONNX written from its weights", async () => {
  const files = memoryFiles('face-api/model', faceApiWeights());
  const { engines, calls } = fakeEngines();
  const loaded = await startClassifier(files, engines);
  assert.equal(loaded.reason, "ONNX Runtime (fake-ort), face-api.js's expression net written as ONNX by ferkit");
  assert.equal(loaded.engine, ONNX_ENGINE);
  assert.deepEqual(loaded.meta, faceApiExpressionMetadata());
  assert.equal(calls.length, 1);
  assert.match(calls[0], /^onnx:\d{5,}$/, 'an ONNX graph holding the weights');
});

test("face-api.js's net falls back to its own TensorFlow.js net in auto when ONNX Runtime is unavailable, and not in onnx", async () => {
  const files = memoryFiles('face-api/model', faceApiWeights());
  const unavailable = new FerkitError('ENGINE_UNAVAILABLE', 'onnxruntime is not installed');
  const { engines, calls, backends } = fakeEngines({ onnxError: unavailable });
  const loaded = await startClassifier(files, engines, { backend: 'cpu' });
  assert.equal(loaded.reason, "TensorFlow.js, face-api.js's own FaceExpressionNet");
  assert.equal(loaded.classifier.runtime, 'tfjs');
  assert.deepEqual(backends, ['cpu', 'current'], 'TensorFlow.js set up on the backend asked, then reported as it is');
  assert.match(calls.at(-1)!, /^faceApiNet:/);
  await assert.rejects(startClassifier(files, engines, { runtime: 'onnx' }), (err) => err === unavailable);
  // another error (a damaged net) is not hidden by the fallback
  const damaged = fakeEngines({ onnxError: new FerkitError('BAD_MODEL', 'damaged') });
  await assert.rejects(startClassifier(files, damaged.engines), (err: FerkitError) => err.code === 'BAD_MODEL');
  // a platform without face-api.js's own net says what runs it there
  const { faceApiNet: _none, ...webEngines } = fakeEngines().engines;
  await assert.rejects(startClassifier(files, webEngines, { runtime: 'tfjs' }), (err: FerkitError) => {
    assert.equal(err.code, 'ENGINE_UNAVAILABLE');
    assert.match(err.message, /fake-ort/);
    return true;
  });
});

test("missing face-api.js weights say what to do", async () => {
  const weights = faceApiWeights();
  const manifestOnly = { [FACE_API_EXPRESSION_MANIFEST]: weights[FACE_API_EXPRESSION_MANIFEST] };
  const { engines } = fakeEngines();
  await assert.rejects(startClassifier(memoryFiles('face-api/model', manifestOnly), engines, { faceApiFix: 'reinstall it' }), (err: FerkitError) => {
    assert.equal(err.code, 'MODEL_NOT_FOUND');
    assert.match(err.message, /face_expression_model\.bin is missing; reinstall it$/);
    return true;
  });
});

test('an ensemble that weighs its members runs them one by one, each from its own folder, and combines them', async () => {
  const files = memoryFiles('ens', {
    'ferkit.json': metadata('ensemble(vgg+face-api-expression)', { members: ['member-1', 'member-2'], memberWeights: [0.75, 0.25], combine: 'probabilities' }),
    'member-1/ferkit.json': metadata('vgg'),
    'member-2/ferkit.json': JSON.stringify(faceApiExpressionMetadata()),
    ...Object.fromEntries(Object.entries(faceApiWeights()).map(([name, bytes]) => [`member-2/${name}`, bytes])),
  });
  // member-1 has an ONNX graph built for it (as a bundled model would): 10 bytes, answering happy; face-api's answers angry
  const { engines, calls } = fakeEngines({
    prebuilt: (f) => (f.location === 'ens/member-1' ? new Uint8Array(10) : undefined),
    onnxProbs: (bytes) => (bytes.length === 10 ? [0, 0, 0, 1, 0, 0, 0] : [1, 0, 0, 0, 0, 0, 0]),
  });
  const loaded = await startClassifier(files, engines);
  assert.equal(loaded.reason, '2 members combined (probabilities): member-1 on onnxruntime, member-2 on onnxruntime');
  assert.equal(loaded.engine, ONNX_ENGINE);
  assert.equal(loaded.meta.architecture, 'ensemble(vgg+face-api-expression)');
  assert.ok(calls.includes('prebuilt:ens/member-1'));
  const probs = await loaded.classifier.run(new Float32Array(48 * 48), 1);
  assert.deepEqual(Array.from(probs, (p) => Number(p.toFixed(6))), [0.25, 0, 0, 0.75, 0, 0, 0]);
  assert.ok(files.reads.includes(`member-2/${FACE_API_EXPRESSION_MANIFEST}`));
});

test('an ensemble whose member fails frees the members already started', async () => {
  const disposed: string[] = [];
  const files = memoryFiles('ens', {
    'ferkit.json': metadata('ensemble(vgg+vgg)', { members: ['member-1', 'member-2'], combine: 'log' }),
    'member-1/ferkit.json': metadata('vgg'),
    'member-2/ferkit.json': metadata('vgg'),
  });
  const { engines } = fakeEngines({ prebuilt: (f) => (f.location === 'ens/member-1' ? new Uint8Array(10) : undefined) });
  engines.onnx = (bytes) => Promise.resolve(fakeClassifier('onnxruntime', [1, 0, 0, 0, 0, 0, 0], disposed, `graph of ${bytes.length}`));
  // member-2 has no ONNX graph and no model.json: it cannot be read
  await assert.rejects(startClassifier(files, engines), (err: FerkitError) => err.code === 'MODEL_NOT_FOUND');
  assert.deepEqual(disposed, ['graph of 10']);
});

test('subFiles reads below its folder and names it', async () => {
  const files = memoryFiles('https://host/model/', { 'member-1/model.json': '{}' });
  const sub = subFiles(files, 'member-1');
  assert.equal(sub.location, 'https://host/model/member-1');
  assert.deepEqual(await sub.read('model.json'), utf8.encode('{}'));
  assert.equal(await sub.read('weights.bin'), undefined);
});

test('a model folder read with TensorFlow.js is converted to ONNX in auto, stays on TensorFlow.js when ONNX Runtime is unavailable, and fails in onnx', async () => {
  const fast = folderInMemory(join(PROJECT_ROOT, 'models', 'fast'));
  const files = () => memoryFiles('user/fast', fast);
  // converted: read on the pure JavaScript backend, unless another is asked for converting
  const ok = fakeEngines();
  const converted = await startClassifier(files(), ok.engines);
  assert.equal(converted.reason, 'ONNX Runtime (fake-ort) loads and runs this model faster than TensorFlow.js');
  assert.equal(converted.classifier.runtime, 'onnxruntime');
  assert.equal(converted.engine, TFJS_ENGINE);
  assert.deepEqual(ok.backends, ['cpu']);
  assert.match(ok.calls.at(-1)!, /^onnx:\d{6,}$/);
  await startClassifier(files(), ok.engines, { runtime: 'onnx', convertBackend: 'wasm' });
  assert.deepEqual(ok.backends, ['cpu', 'wasm']);
  // asked for TensorFlow.js: on the platform's backend, as read
  const asked = await startClassifier(files(), ok.engines, { runtime: 'tfjs' });
  assert.equal(asked.reason, 'TensorFlow.js, as asked');
  assert.equal(asked.classifier.runtime, 'tfjs');
  assert.deepEqual(ok.backends, ['cpu', 'wasm', undefined]);
  asked.classifier.dispose();

  const unavailable = new FerkitError('ENGINE_UNAVAILABLE', 'onnxruntime-node does not load here; reinstall it');
  const broken = fakeEngines({ onnxError: unavailable });
  const fallback = await startClassifier(files(), broken.engines);
  assert.equal(fallback.reason, 'TensorFlow.js: ONNX Runtime unavailable for this model (onnxruntime-node does not load here)');
  assert.equal(fallback.classifier.runtime, 'tfjs');
  const probs = await fallback.classifier.run(new Float32Array(48 * 48).fill(0.5), 1);
  assert.equal(probs.length, 7);
  fallback.classifier.dispose();
  await assert.rejects(startClassifier(files(), broken.engines, { runtime: 'onnx' }), (err) => err === unavailable);

  // a platform whose auto keeps such models on TensorFlow.js (a browser's WebGL)
  const web = fakeEngines();
  const kept = await startClassifier(files(), { ...web.engines, autoRuntime: 'tfjs' });
  assert.equal(kept.reason, 'TensorFlow.js (cpu)');
  assert.equal(kept.classifier.runtime, 'tfjs');
  assert.deepEqual(web.calls, ['prebuilt:user/fast'], 'no ONNX graph started');
  kept.classifier.dispose();
});
