/**
 * face-api.js's expression net in ferkit: the classifier (on ONNX Runtime
 * and on TensorFlow.js) gives what face-api.js's own predictExpressions
 * gives for the same FER2013 crops (as 3-channel tensors), with the labels
 * mapped onto ferkit's emotions; as an ensemble member, a teacher and by
 * name where ferkit loads models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from './engine.js';
import { decodeFace } from '../fs/picture.js';
import { nodeFaceApi } from './face-api.js';
import { FACE_API_EXPRESSION_MANIFEST } from '../store/face-api-expression.js';
import { loadClassifier, loadFaceApiExpressionClassifier } from './emotion-model.js';
import { saveEnsemble } from '../store/ensemble.js';
import { loadModel, modelFingerprint, readMetadata } from '../store/folder.js';
import { classifierProbabilities } from '../core/models/classifier.js';
import { combineProbabilities } from '../core/models/combine.js';
import { FACE_API_EXPRESSIONS, FACE_API_LABELS } from '../core/models/face-api-expression.js';
import { normalisedImages, range } from '../core/models/probabilities.js';
import { teacherTargets } from '../train/distill.js';
import { EMOTIONS } from '../core/labels.js';
import { PIXELS_PER_IMAGE, IMAGE_SIZE } from '../core/image/preprocess.js';
import { FerkitError } from '../core/errors.js';
import { FER_IMAGES, needs, syntheticFaces, tempDir } from '../../test/fixtures.js';
import { nodePlatform } from './platform.js';

const start = nodePlatform().startClassifier;

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');

const TOLERANCE = 1e-4;
const PER_CLASS = 2;

type Expressions = Record<(typeof FACE_API_LABELS)[number], number>;
/** face-api's net with the method the FaceApi type leaves out. */
type ExpressionNet = InstanceType<ReturnType<typeof nodeFaceApi>['api']['FaceExpressionNet']> & {
  predictExpressions(input: tf.Tensor3D[]): Promise<Expressions[]>;
};

/** A few FER2013 test crops per class (their 48x48 grey pixels), or why there are none. */
async function ferCrops(): Promise<{ pixels: Uint8Array; files: string[] } | string> {
  const missing = needs(join(FER_IMAGES, 'test'), 'the FER2013 images (../shared/data/fer2013-images/test)');
  if (missing) return missing;
  const files = EMOTIONS.flatMap((e) => {
    const dir = join(FER_IMAGES, 'test', e);
    return existsSync(dir)
      ? readdirSync(dir)
          .sort()
          .slice(0, PER_CLASS)
          .map((f) => join(dir, f))
      : [];
  });
  const pixels = new Uint8Array(files.length * PIXELS_PER_IMAGE);
  for (const [i, f] of files.entries()) pixels.set(await decodeFace(f), i * PIXELS_PER_IMAGE);
  return { pixels, files };
}

/** face-api.js's own answer: predictExpressions on each crop as a [48, 48, 3] tensor of its grey values, mapped by name onto ferkit's labels. */
async function faceApiOwn(pixels: Uint8Array): Promise<Float32Array> {
  const source = nodeFaceApi();
  const net = new source.api.FaceExpressionNet() as ExpressionNet;
  net.loadFromWeightMap(await source.weights('face_expression_model'));
  const n = pixels.length / PIXELS_PER_IMAGE;
  const faces = tf.tidy(() => tf.unstack(tf.tile(tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32'), [1, 1, 1, 3])) as tf.Tensor3D[]);
  try {
    const answers = await net.predictExpressions(faces);
    const byName: Record<string, keyof Expressions> = {
      angry: 'angry',
      disgust: 'disgusted',
      fear: 'fearful',
      happy: 'happy',
      sad: 'sad',
      surprise: 'surprised',
      neutral: 'neutral',
    };
    return Float32Array.from(answers.flatMap((a) => EMOTIONS.map((e) => a[byName[e]])));
  } finally {
    tf.dispose(faces);
    net.dispose();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const argmax = (p: ArrayLike<number>, row: number) => {
  let best = 0;
  for (let j = 1; j < 7; j++) if (p[row * 7 + j] > p[row * 7 + best]) best = j;
  return best;
};

test('on FER2013 crops the classifier gives face-api.js predictExpressions, on ONNX Runtime and on TensorFlow.js', async (t) => {
  const crops = await ferCrops();
  if (typeof crops === 'string') return t.skip(crops);
  const own = await faceApiOwn(crops.pixels);
  const n = crops.files.length;
  for (const runtime of ['onnx', 'tfjs'] as const) {
    const { classifier, meta } = await loadFaceApiExpressionClassifier(FACE_API_EXPRESSIONS, runtime, 'current');
    try {
      assert.equal(classifier.runtime, runtime === 'onnx' ? 'onnxruntime' : 'tfjs');
      assert.deepEqual(meta.labels, [...EMOTIONS]);
      const ours = await classifier.run(normalisedImages(crops.pixels, range(0, n)), n);
      const d = maxAbsDiff(ours, own);
      assert.ok(d < TOLERANCE, `${runtime}: max difference from predictExpressions ${d}`);
      // as ferkit reports it (no calibration, no equalisation for this net): the same
      const reported = await classifierProbabilities(classifier, meta, crops.pixels);
      assert.ok(maxAbsDiff(reported, own) < TOLERANCE);
    } finally {
      classifier.dispose();
    }
  }
});

test("a face face-api.js calls happy comes out as ferkit's happy (label mapping by hand)", async (t) => {
  const crops = await ferCrops();
  if (typeof crops === 'string') return t.skip(crops);
  const source = nodeFaceApi();
  const net = new source.api.FaceExpressionNet() as ExpressionNet;
  net.loadFromWeightMap(await source.weights('face_expression_model'));
  const { classifier } = await loadClassifier(FACE_API_EXPRESSIONS, 'onnx');
  try {
    let checked = 0;
    for (let i = 0; i < crops.files.length; i++) {
      const face: Uint8Array = crops.pixels.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
      const x = tf.tidy(() => tf.tile(tf.tensor3d(face, [IMAGE_SIZE, IMAGE_SIZE, 1], 'float32'), [1, 1, 3]));
      const [answer] = await net.predictExpressions([x]);
      x.dispose();
      const top = Object.entries(answer).sort((a, b) => b[1] - a[1])[0][0];
      const ours: string = EMOTIONS[argmax(await classifier.run(normalisedImages(face, [0]), 1), 0)];
      const expected = { angry: 'angry', disgusted: 'disgust', fearful: 'fear', happy: 'happy', sad: 'sad', surprised: 'surprise', neutral: 'neutral' }[top];
      assert.equal(ours, expected, `${crops.files[i]}: face-api says ${top}`);
      if (top === 'happy') checked++;
    }
    assert.ok(checked > 0, 'face-api.js called none of the crops happy');
  } finally {
    classifier.dispose();
    net.dispose();
  }
});

test('an ensemble of the default model and face-api.js, weighted, on log-probabilities: written, loaded, fingerprinted and refused as one network', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'mixed');
    const meta = await saveEnsemble(['default', FACE_API_EXPRESSIONS], out, { weights: [0.75, 0.25], combine: 'log', startClassifier: start });
    assert.deepEqual(meta.memberWeights, [0.75, 0.25]);
    assert.equal(meta.combine, 'log');
    assert.ok(existsSync(join(out, 'member-2', FACE_API_EXPRESSION_MANIFEST)));
    assert.equal(readMetadata(join(out, 'member-2')).architecture, 'face-api-expression');
    assert.ok(meta.parameters! > 0);
    assert.match(modelFingerprint(out), /^[0-9a-f]{64}$/);

    const faces = syntheticFaces(1).pixels;
    const n = faces.length / PIXELS_PER_IMAGE;
    const x = normalisedImages(faces, range(0, n));
    const ensemble = await loadClassifier(out, 'onnx');
    const members = [await loadClassifier('default', 'onnx'), await loadClassifier(FACE_API_EXPRESSIONS, 'onnx')];
    try {
      const expected = combineProbabilities(await Promise.all(members.map((m) => m.classifier.run(x, n))), [0.75, 0.25], 7, 'log');
      assert.ok(maxAbsDiff(await ensemble.classifier.run(x, n), expected) < 1e-5);
      // as a teacher (on TensorFlow.js, the training engine): the same ensemble's probabilities, with the mirror image
      const ds = { pixels: faces, labels: new Int32Array(n), count: n, ids: [] } as unknown as Parameters<typeof teacherTargets>[1];
      const targets = await teacherTargets(out, ds, { temperature: 1, startClassifier: start });
      assert.ok(
        maxAbsDiff(targets, await classifierProbabilities(ensemble.classifier, ensemble.meta, faces, { tta: true, temperature: 1, classBias: false })) <
          TOLERANCE,
      );
    } finally {
      ensemble.classifier.dispose();
      members.forEach((m) => m.classifier.dispose());
    }
    await assert.rejects(loadModel(out), (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && /face-api|weighs/.test(e.message));
  } finally {
    cleanup();
  }
});

test('ensemble weights that do not fit are refused with typed errors, before anything is written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'bad');
    for (const [weights, pattern] of [
      [[0.5, 0.4], /sum to 0\.9/],
      [[1], /1 ensemble weights for 2 members/],
      [[1.5, -0.5], /not a positive number/],
    ] as const) {
      await assert.rejects(
        saveEnsemble(['default', FACE_API_EXPRESSIONS], out, { weights, startClassifier: start }),
        (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && pattern.test(e.message),
      );
    }
    await assert.rejects(
      saveEnsemble(['default', FACE_API_EXPRESSIONS], out, { combine: 'geometric' as 'log', startClassifier: start }),
      (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && /use probabilities or log/.test(e.message),
    );
    assert.ok(!existsSync(out));
  } finally {
    cleanup();
  }
});

test('face-api.js as a teacher (its own FaceExpressionNet on TensorFlow.js): its targets are its probabilities (with its mirror image), softened', async () => {
  const faces = syntheticFaces(1, 7, 3);
  const ds = { pixels: faces.pixels, labels: faces.labels, count: faces.labels.length, ids: [] } as unknown as Parameters<typeof teacherTargets>[1];
  const targets = await teacherTargets(FACE_API_EXPRESSIONS, ds, { temperature: 1, startClassifier: start });
  const { classifier, meta } = await loadClassifier(FACE_API_EXPRESSIONS, 'onnx');
  try {
    const own = await classifierProbabilities(classifier, meta, faces.pixels, { tta: true });
    assert.ok(maxAbsDiff(targets, own) < TOLERANCE);
  } finally {
    classifier.dispose();
  }
  const soft = await teacherTargets(FACE_API_EXPRESSIONS, ds, { temperature: 3, startClassifier: start });
  for (let i = 0; i < ds.count; i++) {
    let sum = 0;
    for (let j = 0; j < 7; j++) sum += soft[i * 7 + j];
    assert.ok(Math.abs(sum - 1) < 1e-4);
    // softening lowers the top probability
    assert.ok(soft[i * 7 + argmax(targets, i)] <= targets[i * 7 + argmax(targets, i)] + 1e-6);
  }
});
