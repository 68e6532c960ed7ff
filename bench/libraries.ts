/**
 * ferkit's emotion model against the emotion models of the JavaScript
 * libraries users would otherwise pick, on the same faces:
 *
 * - face-api.js: its FaceExpressionNet, as shipped in @vladmandic/face-api
 *   (ferkit's dependency for face detection);
 * - @vladmandic/human: its `emotion` model, a conversion of oarriaga's
 *   face_classification mini-Xception, trained on FER2013 (a dev dependency,
 *   installed by `npm ci`).
 *
 * For each: accuracy, macro-F1 and each class's recall with their 95%
 * intervals, speed per face on the same engine, and a paired comparison
 * with ferkit's model (bootstrap intervals, exact McNemar test). Not a test:
 * it prints figures.
 *
 *   npm run bench:libraries [-- --model DIR] [--data PATH] [--usage LIST] [--split F] [--dedupe] [--limit N] [--runs 20] [--backend NAME] [--json FILE]
 *
 * Every model gets FER2013's 48x48 grey crops the way its own library
 * prepares a face crop: face-api's as three equal colour channels in 0-255,
 * which its network resizes to 112x112 (ferkit's face-api-expressions
 * classifier on TensorFlow.js, src/node/face-api-expression.ts); human's resized to 64x64 and scaled
 * to [-1, 1] (its `emotion.ts`, without the optional crop, as configured by
 * default).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FER_CSV, needs } from '../test/fixtures.js';
import { cpuDescription, medianMs } from './timing.js';
import {
  initEngine,
  type EngineChoice,
  folderFiles,
  loadModel,
  modelProbabilities,
  loadFaceApiExpressionClassifier,
  FACE_API_EXPRESSIONS,
  classifierProbabilities,
  PIXELS_PER_IMAGE,
  IMAGE_SIZE,
} from '../src/entries/models.js';
import { selectData, DATA_SELECTION_FLAGS, dataSelection } from '../src/entries/data.js';
import { computeMetrics, type Metrics, metricIntervals, type Intervals, compareModels, formatComparison, table } from '../src/entries/eval.js';
import { EMOTIONS } from '../src/index.js';
import { readWeightData, argmaxRows } from '../src/entries/models.js';
import { intervalText } from '../src/entries/eval.js';

/** A model under comparison: probabilities of faces start..end-1 of a pixel array, in ferkit's class order. */
interface Contender {
  name: string;
  probabilities(pixels: Uint8Array, start: number, end: number): Promise<Float32Array>;
  dispose(): void;
}

const { values: v } = parseArgs({
  args: process.argv.slice(2),
  options: { ...DATA_SELECTION_FLAGS, model: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' }, json: { type: 'string' } },
});
v.data ??= FER_CSV;
const missing = needs(v.data, 'FER2013 (../shared/data/fer2013/fer2013.csv.gz); pass --data PATH');
if (missing) {
  console.log(`skipped: ${missing}`);
  if (v.json) writeFileSync(v.json, JSON.stringify({ skipped: missing }, null, 2) + '\n');
  process.exit(0);
}
const runs = Number(v.runs ?? 20);
const engine = await initEngine((v.backend ?? 'auto') as EngineChoice);
/** The images to compare on, chosen by the same flags as `ferkit eval`. */
const selection = dataSelection(v);
const data = await selectData(selection, (s) =>
  console.error(
    s.step === 'read' ? `read ${s.count} images from ${s.path} in ${s.seconds.toFixed(1)}s` : `${s.step}: ${JSON.stringify({ ...s, step: undefined })}`,
  ),
);

/** The faces start..end-1 as a float [n,48,48,1] batch of 0-255 values. */
const greyBatch = (pixels: Uint8Array, start: number, end: number) =>
  tf.tensor4d(pixels.subarray(start * PIXELS_PER_IMAGE, end * PIXELS_PER_IMAGE), [end - start, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32');

/** Reorders a [n,7] probability tensor from a library's class names to ferkit's, reads it and disposes it. */
async function inFerkitOrder(probs: tf.Tensor2D, libraryLabels: readonly string[]): Promise<Float32Array> {
  const ordered = tf.tidy(() =>
    tf.gather(
      probs,
      EMOTIONS.map((l) => libraryLabels.indexOf(l)),
      1,
    ),
  );
  const out = (await ordered.data()) as Float32Array;
  tf.dispose([probs, ordered]);
  return out;
}

async function ferkitContender(dir: string): Promise<Contender> {
  const { model, meta } = await loadModel(dir);
  if (meta.labels.join() !== EMOTIONS.join()) throw new Error(`${dir} names other classes (${meta.labels.join(', ')}); this comparison needs FER2013's seven`);
  return {
    name: `ferkit ${dir} (${meta.architecture})`,
    probabilities: (pixels, start, end) => modelProbabilities(model, meta, pixels.subarray(start * PIXELS_PER_IMAGE, end * PIXELS_PER_IMAGE)),
    dispose: () => model.dispose(),
  };
}

async function faceApiContender(): Promise<Contender> {
  // face-api.js's own FaceExpressionNet on TensorFlow.js, as its users run it; the library maps its labels onto ferkit's
  const { classifier, meta } = await loadFaceApiExpressionClassifier(FACE_API_EXPRESSIONS, 'tfjs', 'current');
  return {
    name: 'face-api.js FaceExpressionNet',
    probabilities: (pixels, start, end) => classifierProbabilities(classifier, meta, pixels.subarray(start * PIXELS_PER_IMAGE, end * PIXELS_PER_IMAGE)),
    dispose: () => classifier.dispose(),
  };
}

async function humanContender(): Promise<Contender> {
  const require = createRequire(import.meta.url);
  // the package exports no package.json: walk up from its entry point to the folder holding models/
  let dir = dirname(require.resolve('@vladmandic/human'));
  while (!existsSync(join(dir, 'models', 'emotion.json'))) {
    if (dirname(dir) === dir) throw new Error('@vladmandic/human has no models/emotion.json; reinstall with `npm ci`');
    dir = dirname(dir);
  }
  dir = join(dir, 'models');
  const json = JSON.parse(readFileSync(join(dir, 'emotion.json'), 'utf8')) as tf.io.ModelJSON;
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: await readWeightData(folderFiles(dir), json.weightsManifest),
    }),
  );
  const size = model.inputs[0].shape?.[2] ?? 64;
  return {
    name: 'human emotion (mini-Xception)',
    probabilities(pixels, start, end) {
      const probs = tf.tidy(() => {
        const x = tf.image.resizeBilinear(greyBatch(pixels, start, end), [size, size], false);
        return model.execute(tf.mul(tf.sub(tf.div(x, 255), 0.5), 2)) as tf.Tensor2D;
      });
      return inFerkitOrder(probs, EMOTIONS);
    },
    dispose: () => model.dispose(),
  };
}

async function allProbabilities(c: Contender, pixels: Uint8Array): Promise<Float32Array> {
  const count = pixels.length / PIXELS_PER_IMAGE;
  const out = new Float32Array(count * EMOTIONS.length);
  for (let s = 0; s < count; s += 64) out.set(await c.probabilities(pixels, s, Math.min(count, s + 64)), s * EMOTIONS.length);
  return out;
}

const contenders = [await ferkitContender(v.model ?? 'default'), await faceApiContender(), await humanContender()];
const results: { c: Contender; pred: Int32Array; m: Metrics & { intervals: Intervals }; batch64: number; batch1: number }[] = [];
const faces64 = Math.min(64, data.count);
for (const c of contenders) {
  const pred = argmaxRows(await allProbabilities(c, data.pixels), EMOTIONS.length);
  const m = { ...computeMetrics(data.labels, pred, EMOTIONS), intervals: metricIntervals(data.labels, pred, EMOTIONS) };
  const batch64 = (await medianMs(() => c.probabilities(data.pixels, 0, faces64), runs)) / faces64;
  const batch1 = await medianMs(() => c.probabilities(data.pixels, 0, 1), runs * 5);
  results.push({ c, pred, m, batch64, batch1 });
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
console.log(
  `${data.count} faces of ${v.data}; engine ${engine.backend}; CPU: ${cpuDescription()}; speed: medians; 95% intervals (Wilson for accuracy and recall, bootstrap for macro-F1)\n`,
);
console.log(
  table(
    [
      ['model', 'accuracy', 'macro-F1', `faces/s @${faces64}`, 'ms @1'],
      ...results.map((r) => [
        r.c.name,
        `${pct(r.m.accuracy)} (${intervalText(r.m.intervals.accuracy, true)})`,
        `${r.m.macroF1.toFixed(3)} (${intervalText(r.m.intervals.macroF1)})`,
        String(Math.round(1000 / r.batch64)),
        r.batch1.toFixed(2),
      ]),
    ],
    false,
  ),
);
console.log('\nrecall');
console.log(table([['model', ...EMOTIONS], ...results.map((r) => [r.c.name, ...EMOTIONS.map((l) => r.m.perClass[l].recall.toFixed(3))])], false));
for (const r of results.slice(1)) {
  console.log(`\npaired comparison on the same faces (A = ${results[0].c.name}, B = ${r.c.name})`);
  console.log(formatComparison(results[0].c.name, r.c.name, compareModels(data.labels, results[0].pred, r.pred, EMOTIONS.length)).trimEnd());
}
if (v.json) {
  const out = {
    cpu: cpuDescription(),
    engine: engine.backend,
    data: v.data,
    usage: selection.usage ?? 'PublicTest',
    faces: data.count,
    models: results.map((r) => ({
      name: r.c.name,
      accuracy: r.m.accuracy,
      accuracyInterval: r.m.intervals.accuracy,
      macroF1: r.m.macroF1,
      facesPerSecondAt64: 1000 / r.batch64,
      msAt1: r.batch1,
    })),
  };
  writeFileSync(v.json, JSON.stringify(out, null, 2) + '\n');
}
contenders.forEach((c) => c.dispose());
