/**
 * ferkit's emotion model against face-api.js's (the FaceExpressionNet that
 * ships in @vladmandic/face-api, the model most JavaScript users get) on the
 * same faces: accuracy, macro-F1 and each class's recall with their 95%
 * intervals, a paired comparison (bootstrap intervals, exact McNemar test),
 * and each model's speed per face. Not a test: it prints figures.
 *
 *   npm run bench:faceapi [-- --model DIR] [--data PATH] [--usage LIST] [--dedupe] [--limit N] [--runs 20] [--backend NAME]
 *
 * Both models see FER2013's 48x48 grey crops: ferkit's as it was trained,
 * face-api's as three equal colour channels, which its network resizes to the
 * 112x112 it expects (as it does with any face crop it is given).
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine, type EngineChoice } from '../src/engine/index.js';
import { DATA_SELECTION_FLAGS, selectData } from '../src/cli/eval.js';
import { parseFlags, intFlag } from '../src/cli/args.js';
import { loadModel } from '../src/models/io.js';
import { modelProbabilities } from '../src/models/predict.js';
import { faceApi, readWeights } from '../src/face/detector.js';
import { argmaxRows, computeMetrics, type Metrics } from '../src/eval/metrics.js';
import { metricIntervals } from '../src/eval/intervals.js';
import { compareModels } from '../src/eval/compare.js';
import { formatComparison, intervalText, table } from '../src/eval/format.js';
import { PIXELS_PER_IMAGE, IMAGE_SIZE } from '../src/data/dataset.js';
import { EMOTIONS } from '../src/labels.js';
import { FER_CSV, needs } from '../src/testing/fixtures.js';

/** face-api's output order, and the name it gives each of ferkit's classes. */
const FACEAPI_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
const FACEAPI_NAME: Record<string, string> = { angry: 'angry', disgust: 'disgusted', fear: 'fearful', happy: 'happy', sad: 'sad', surprise: 'surprised', neutral: 'neutral' };

const { values: v } = parseFlags(process.argv.slice(2), { ...DATA_SELECTION_FLAGS, model: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' } });
v.data ??= FER_CSV;
const missing = needs(v.data, 'FER2013 (../shared/data/fer2013/fer2013.csv.gz); pass --data PATH');
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}
const runs = intFlag(v.runs, 'runs', 20);
const engine = await initEngine((v.backend ?? 'auto') as EngineChoice);
const data = await selectData(v, (s) => console.error(s));

const { model, meta } = await loadModel(v.model ?? 'default');
if (meta.labels.join() !== EMOTIONS.join()) throw new Error(`${v.model} names other classes (${meta.labels.join(', ')}); this comparison needs FER2013's seven`);
const { api, modelDir } = faceApi();
const net = new api.FaceExpressionNet();
net.loadFromWeightMap(readWeights(modelDir, 'face_expression_model'));
const columns = EMOTIONS.map((l) => FACEAPI_LABELS.indexOf(FACEAPI_NAME[l]));

/** face-api's probabilities for the faces start..end-1, in ferkit's class order. */
async function faceApiBatch(pixels: Uint8Array, start: number, end: number): Promise<Float32Array> {
  const faces = tf.tidy(() => {
    const grey = tf.tensor4d(pixels.subarray(start * PIXELS_PER_IMAGE, end * PIXELS_PER_IMAGE), [end - start, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32');
    return tf.unstack(tf.tile(grey, [1, 1, 1, 3])) as tf.Tensor3D[];
  });
  const probs = await net.forward(faces);
  const ordered = tf.tidy(() => tf.gather(probs, columns, 1));
  const out = await ordered.data() as Float32Array;
  tf.dispose([...faces, probs, ordered]);
  return out;
}

async function faceApiProbabilities(pixels: Uint8Array): Promise<Float32Array> {
  const count = pixels.length / PIXELS_PER_IMAGE;
  const out = new Float32Array(count * EMOTIONS.length);
  for (let s = 0; s < count; s += 64) out.set(await faceApiBatch(pixels, s, Math.min(count, s + 64)), s * EMOTIONS.length);
  return out;
}

const ferkitPred = argmaxRows(await modelProbabilities(model, meta, data.pixels), EMOTIONS.length);
const faceApiPred = argmaxRows(await faceApiProbabilities(data.pixels), EMOTIONS.length);
const scored = (pred: Int32Array): Metrics => ({ ...computeMetrics(data.labels, pred, EMOTIONS), intervals: metricIntervals(data.labels, pred, EMOTIONS) });
const results = [
  { name: `ferkit ${v.model ?? 'default'} (${meta.architecture})`, m: scored(ferkitPred) },
  { name: 'face-api.js FaceExpressionNet', m: scored(faceApiPred) },
];

// speed: each model alone on 64 faces and on 1 (warm-up first)
const ms = async (f: () => Promise<unknown>, n: number) => {
  await f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  return (performance.now() - t0) / n;
};
const batch = data.pixels.subarray(0, 64 * PIXELS_PER_IMAGE);
const one = data.pixels.subarray(0, PIXELS_PER_IMAGE);
const speeds = [
  [await ms(() => modelProbabilities(model, meta, batch), runs), await ms(() => modelProbabilities(model, meta, one), runs * 5)],
  [await ms(() => faceApiBatch(batch, 0, 64), runs), await ms(() => faceApiBatch(one, 0, 1), runs * 5)],
];

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
console.log(`${data.count} faces of ${v.data}; engine ${engine.backend}; 95% intervals (Wilson for accuracy and recall, bootstrap for macro-F1)\n`);
console.log(table([
  ['model', 'accuracy', 'macro-F1', 'faces/s @64', 'ms @1'],
  ...results.map((r, i) => [r.name, `${pct(r.m.accuracy)} (${intervalText(r.m.intervals!.accuracy, true)})`, `${r.m.macroF1.toFixed(3)} (${intervalText(r.m.intervals!.macroF1)})`, String(Math.round(64000 / speeds[i][0])), speeds[i][1].toFixed(2)]),
], false));
console.log('\nrecall');
console.log(table([['model', ...EMOTIONS], ...results.map((r) => [r.name, ...EMOTIONS.map((l) => r.m.perClass[l].recall.toFixed(3))])], false));
console.log('\npaired comparison on the same faces (A = ferkit, B = face-api.js)');
console.log(formatComparison(results[0].name, results[1].name, compareModels(data.labels, ferkitPred, faceApiPred, EMOTIONS.length)));
model.dispose();
net.dispose();
