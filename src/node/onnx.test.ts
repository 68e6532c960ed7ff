/**
 * ONNX Runtime and TensorFlow.js agree: every registry architecture, a
 * bundled model, an ensemble and a model of the other mapped layers give
 * the same probabilities (max abs difference < 1e-4) on the same inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initEngine } from './engine.js';
import { chooseClassifier, onnxBytes, onnxClassifier } from './onnx.js';
import { loadModel } from '../store/folder.js';
import { createRecognizer } from './index.js';
import { listArchitectures, getArchitecture } from '../core/models/architectures.js';
import { applyCalibration } from '../core/models/calibration.js';
import { classifierProbabilities } from '../core/models/classifier.js';
import { averageModels } from '../core/models/ensemble.js';
import { plainModelMetadata, type ModelMetadata } from '../core/models/metadata.js';
import { modelProbabilities, normalisedImages, predictProbabilities, range } from '../core/models/predict.js';
import { ONNX_INPUT, ONNX_METADATA_KEYS, ONNX_PROBABILITIES, ONNX_UNCALIBRATED, onnxMetadata } from '../core/models/onnx/model.js';
import { readFields } from '../core/onnx/protobuf.js';
import { createRng } from '../core/random.js';
import { FerkitError } from '../core/errors.js';
import { syntheticFaces } from '../../test/fixtures.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');

const TOLERANCE = 1e-4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Non-trivial batch-norm statistics and biases (new models have ones and zeros), so folding and bias mapping are tested. */
function randomise(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      randomise(layer, seed + 1);
      continue;
    }
    const values = layer.getWeights();
    if (values.length === 0) continue;
    layer.setWeights(
      values.map((v, i) => {
        const role = layer.weights[i].originalName.split('/').pop() ?? '';
        const u = (lo: number, hi: number) =>
          tf.tensor(
            Float32Array.from({ length: v.size }, () => lo + (hi - lo) * rng()),
            v.shape,
          );
        if (role === 'moving_variance' || role === 'gamma') return u(0.5, 1.5);
        if (role === 'moving_mean' || role === 'beta' || role === 'bias') return u(-0.3, 0.3);
        return v;
      }),
    );
  }
}

const calibration = {
  temperature: 1.7,
  classBias: [0.1, -0.2, 0, 0.3, -0.1, 0, 0.05],
  eceBefore: 0,
  eceAfter: 0,
  nllBefore: 0,
  nllAfter: 0,
  fittedOn: 'test',
  samples: 1,
};

/** Compares ONNX Runtime with TensorFlow.js on one model: raw and calibrated outputs, and ferkit's probabilities with test-time augmentation. */
async function checkAgreement(what: string, model: tf.LayersModel, meta: ModelMetadata, pixels: Uint8Array): Promise<void> {
  const n = pixels.length / (48 * 48);
  const bytes = onnxBytes(model, meta);
  const session = await ort.InferenceSession.create(bytes);
  try {
    assert.deepEqual([...session.inputNames], [ONNX_INPUT]);
    assert.deepEqual([...session.outputNames].sort(), [ONNX_PROBABILITIES, ONNX_UNCALIBRATED].sort());
    const x = normalisedImages(pixels, range(0, n));
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [n, 48, 48, 1]) });
    const k = meta.labels.length;
    const reference = await predictProbabilities(model, pixels);
    assert.ok(
      reference.some((v) => Math.abs(v - 1 / k) > 0.01),
      `${what}: the test model is not trivially uniform`,
    );
    const raw = maxAbsDiff(out[ONNX_UNCALIBRATED].data as Float32Array, reference);
    assert.ok(raw < TOLERANCE, `${what}: uncalibrated differs by ${raw}`);
    const expected = meta.calibration ? applyCalibration(reference, k, meta.calibration) : reference;
    const cal = maxAbsDiff(out[ONNX_PROBABILITIES].data as Float32Array, expected);
    assert.ok(cal < TOLERANCE, `${what}: probabilities differ by ${cal}`);
  } finally {
    await session.release();
  }
  const classifier = await onnxClassifier(bytes);
  try {
    const viaOnnx = await classifierProbabilities(classifier, meta, pixels, { tta: true, batchSize: 4 });
    const viaTfjs = await modelProbabilities(model, meta, pixels, { tta: true });
    const d = maxAbsDiff(viaOnnx, viaTfjs);
    assert.ok(d < TOLERANCE, `${what}: ferkit's probabilities (tta, calibrated) differ by ${d}`);
  } finally {
    classifier.dispose();
  }
}

const faces = syntheticFaces(1, 7, 5).pixels;

for (const arch of listArchitectures()) {
  test(`ONNX Runtime agrees with TensorFlow.js: ${arch.name} architecture, random weights, calibrated`, async () => {
    const model = arch.build({ seed: 7, numClasses: 7, inputSize: 48 });
    randomise(model, 11);
    try {
      await checkAgreement(arch.name, model, { ...plainModelMetadata(), architecture: arch.name, calibration }, faces);
    } finally {
      model.dispose();
    }
  });
}

test('ONNX Runtime agrees with TensorFlow.js: the bundled default model, with its own calibration', async () => {
  const { model, meta } = await loadModel('default');
  try {
    assert.ok(meta.calibration, 'the default model is calibrated');
    await checkAgreement('default', model, meta, syntheticFaces(2, 7, 3).pixels);
  } finally {
    model.dispose();
  }
});

test('ONNX Runtime agrees with TensorFlow.js: an ensemble of two models', async () => {
  const a = getArchitecture('tiny').build({ seed: 1, numClasses: 7, inputSize: 48 });
  const b = getArchitecture('tiny').build({ seed: 2, numClasses: 7, inputSize: 48 });
  randomise(a, 1);
  randomise(b, 2);
  a.name = 'member_1';
  b.name = 'member_2';
  const ensemble = averageModels([a, b]);
  try {
    await checkAgreement('ensemble', ensemble, { ...plainModelMetadata(), architecture: 'ensemble(tiny+tiny)' }, faces);
  } finally {
    ensemble.dispose();
  }
});

test('ONNX Runtime agrees with TensorFlow.js: the other layers the export maps', async () => {
  const input = tf.input({ shape: [48, 48, 1] });
  const pad = tf.layers
    .zeroPadding2d({
      padding: [
        [1, 2],
        [0, 1],
      ],
    })
    .apply(input) as tf.SymbolicTensor;
  const c = tf.layers.conv2d({ filters: 6, kernelSize: [3, 5], strides: 2, padding: 'same', activation: 'elu' }).apply(pad) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }).apply(c) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({}).apply(dw) as tf.SymbolicTensor;
  const left = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(bn) as tf.SymbolicTensor;
  const right = tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(bn) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ axis: -1 }).apply([left, right]) as tf.SymbolicTensor;
  const leaky = tf.layers.leakyReLU({ alpha: 0.1 }).apply(cat) as tf.SymbolicTensor;
  const gated = tf.layers.multiply().apply([leaky, tf.layers.activation({ activation: 'sigmoid' }).apply(cat) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  // 51x49 padded -> 26x25 -> 13x13 -> 6x6 (odd sizes: TensorFlow's "same" puts the extra pixel at the end; "valid" drops the last row)
  const pooled = tf.layers.maxPooling2d({ poolSize: 2, padding: 'valid' }).apply(gated) as tf.SymbolicTensor;
  const gmax = tf.layers.globalMaxPooling2d({}).apply(pooled) as tf.SymbolicTensor;
  const reshaped = tf.layers.reshape({ targetShape: [26, 13, 12] }).apply(gated) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(reshaped) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([gmax, tf.layers.dense({ units: 8, activation: 'tanh' }).apply(flat) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 7 }).apply(tf.layers.dropout({ rate: 0.5 }).apply(joined)) as tf.SymbolicTensor;
  const output = tf.layers.softmax().apply(dense) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  randomise(model, 5);
  try {
    await checkAgreement(
      'other layers',
      model,
      { ...plainModelMetadata(), architecture: 'custom', calibration: { ...calibration, classBias: undefined } },
      faces,
    );
  } finally {
    model.dispose();
  }
});

test('ONNX Runtime agrees with TensorFlow.js: every mapped activation and element-wise merge', async () => {
  const input = tf.input({ shape: [48, 48, 1] });
  const conv = (x: tf.SymbolicTensor, activation: string) =>
    tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: activation as 'linear' }).apply(x) as tf.SymbolicTensor;
  const base = conv(input, 'linear');
  const branches = ['relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'mish', 'softmax'].map(
    (a) => tf.layers.activation({ activation: a as 'linear' }).apply(base) as tf.SymbolicTensor,
  );
  const layered = [
    tf.layers.reLU({ maxValue: 2 }).apply(base) as tf.SymbolicTensor,
    tf.layers.elu({}).apply(base) as tf.SymbolicTensor,
    tf.layers.softmax({ axis: -1 }).apply(base) as tf.SymbolicTensor,
  ];
  const all = [...branches, ...layered];
  const merged = [
    tf.layers.add().apply(all) as tf.SymbolicTensor,
    tf.layers.average().apply(all.slice(0, 4)) as tf.SymbolicTensor,
    tf.layers.maximum().apply(all.slice(4, 8)) as tf.SymbolicTensor,
    tf.layers.minimum().apply(all.slice(8)) as tf.SymbolicTensor,
  ];
  const joined = tf.layers.concatenate({ axis: 3 }).apply(merged) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv(joined, 'linear')) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 7, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  randomise(model, 9);
  try {
    await checkAgreement('activations', model, { ...plainModelMetadata(), architecture: 'custom' }, faces);
  } finally {
    model.dispose();
  }
});

test('a layer without an ONNX mapping is a BAD_MODEL error that names it, and auto falls back to TensorFlow.js', async () => {
  const model = tf.sequential({
    layers: [tf.layers.conv1d({ inputShape: [48, 48], filters: 2, kernelSize: 3, name: 'odd' }), tf.layers.flatten(), tf.layers.dense({ units: 7 })],
  });
  assert.throws(
    () => onnxBytes(model, plainModelMetadata()),
    (err: unknown) => err instanceof FerkitError && err.code === 'BAD_MODEL',
  );
  const other = tf.sequential({
    layers: [tf.layers.inputLayer({ inputShape: [48, 48, 1] }), tf.layers.upSampling2d({ name: 'up' }), tf.layers.flatten(), tf.layers.dense({ units: 7 })],
  });
  assert.throws(
    () => onnxBytes(other, plainModelMetadata()),
    (err: unknown) => err instanceof FerkitError && err.code === 'BAD_MODEL' && /up.*UpSampling2D/.test(err.message),
  );
  const { classifier, reason } = await chooseClassifier(other, plainModelMetadata(), 'auto');
  assert.equal(classifier.runtime, 'tfjs');
  assert.match(reason, /UpSampling2D/);
  await assert.rejects(
    chooseClassifier(model, plainModelMetadata(), 'bogus' as 'auto'),
    (err: unknown) => err instanceof FerkitError && err.code === 'BAD_ARGUMENT',
  );
  classifier.dispose();
  model.dispose();
});

test('the ONNX file carries labels, preprocessing, calibration and version in metadata_props', async () => {
  const { model, meta } = await loadModel('default');
  const bytes = onnxBytes(model, meta);
  model.dispose();
  const fields = readFields(bytes);
  const props = onnxMetadata(bytes);
  assert.deepEqual(Object.keys(props).sort(), [...ONNX_METADATA_KEYS].sort());
  assert.deepEqual(JSON.parse(props['labels']), meta.labels);
  assert.equal(props['architecture'], meta.architecture);
  assert.match(props['ferkit_version'], /^\d+\.\d+\.\d+/);
  const pre = JSON.parse(props['preprocessing']);
  assert.equal(pre.scale, meta.preprocessing.scale);
  assert.equal(pre.layout, 'NHWC');
  assert.equal(JSON.parse(props['calibration']).temperature, meta.calibration?.temperature);
  // opset_import: the default domain at 13 or later
  const opset = readFields(fields.find((f) => f.field === 8)!.bytes!);
  assert.ok(Number(opset.find((f) => f.field === 2)!.int) >= 13);
});

test('createRecognizer classifies the same on ONNX Runtime and on TensorFlow.js', async () => {
  const viaOnnx = await createRecognizer({ detector: false, runtime: 'onnx' });
  const viaTfjs = await createRecognizer({ detector: false, runtime: 'tfjs' });
  try {
    assert.equal(viaOnnx.runtime, 'onnxruntime');
    assert.equal(viaTfjs.runtime, 'tfjs');
    const crops = syntheticFaces(2, 7, 8).pixels;
    const d = maxAbsDiff(await viaOnnx.classify(crops), await viaTfjs.classify(crops));
    assert.ok(d < TOLERANCE, `recognizers differ by ${d}`);
  } finally {
    viaOnnx.dispose();
    viaTfjs.dispose();
  }
});
