/**
 * face-api.js's expression net (FaceExpressionNet) in Node, as a ferkit
 * classifier: on ONNX Runtime from a graph written in memory from its
 * weights (src/core/models/onnx/face-api-expression.ts; TensorFlow.js is not
 * loaded), or on TensorFlow.js through face-api.js's own FaceExpressionNet.
 * Its weights come from the installed @vladmandic/face-api package (the
 * name `face-api-expressions`) or from a model folder holding a copy (an
 * ensemble's member written by `ferkit ensemble`).
 */
import type * as Tf from '@tensorflow/tfjs';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import type { EngineChoice } from '../core/engine.js';
import type { Classifier, RuntimeChoice } from '../core/models/classifier.js';
import { FACE_API_EXPRESSIONS, faceApiExpressionMetadata, toFerkitOrder } from '../core/models/face-api-expression.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { faceApiExpressionOnnx } from '../core/models/onnx/face-api-expression.js';
import { sessionClassifier } from '../core/models/onnx/session.js';
import { decodeWeightMap, type ManifestWeight } from '../core/onnx/weight-map.js';
import { loadOnnxRuntime, onnxSession } from './ort.js';
import { packageVersion } from './package.js';
import { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels } from './model-paths.js';

export { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels, isFaceApiExpressionModel } from './model-paths.js';

/** The most bytes the manifest and the weights may hold (they hold about 7 KB and 330 KB). */
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_WEIGHT_BYTES = 64 << 20;

type Manifest = { paths: string[]; weights: ManifestWeight[] }[];

/** The folder holding the net's weight files: face-api's own for the name, else the folder given. */
function weightsFolder(nameOrDir: string): string {
  return nameOrDir === FACE_API_EXPRESSIONS && !existsSync(nameOrDir) ? installedFaceApiModels() : nameOrDir;
}

/** A file of the weights folder, bounded; a FerkitError naming what to do when it is missing or too big. */
async function readBounded(dir: string, path: string, maxBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    // files of a folder that may come from a stranger are read as model files are (regular files inside the folder, measured first)
    const { readModelFile } = await import('./model-files.js');
    bytes = await readModelFile(dir, path, maxBytes);
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('MODEL_NOT_FOUND', `${join(dir, path)} cannot be read (${(err as Error).message})`, { file: dir, cause: err });
  }
  if (!bytes || bytes.length > maxBytes) {
    throw new FerkitError(
      bytes ? 'BAD_MODEL' : 'MODEL_NOT_FOUND',
      `${dir}: ${path} is ${bytes ? 'larger than face-api.js expression weights are' : 'missing'}; ${dir === installedFaceApiModels() ? "reinstall ferkit's dependencies with `npm ci`" : `write the ensemble again with \`ferkit ensemble --models ...,${FACE_API_EXPRESSIONS}\``}`,
      { file: dir },
    );
  }
  return bytes;
}

/** The net's weight manifest and weight bytes from a folder. */
export async function readFaceApiExpressionWeights(nameOrDir: string): Promise<{ dir: string; manifest: Manifest; data: Uint8Array }> {
  const dir = weightsFolder(nameOrDir);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readBounded(dir, FACE_API_EXPRESSION_MANIFEST, MAX_MANIFEST_BYTES))) as Manifest;
    if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g.paths) && Array.isArray(g.weights))) throw new Error('not a weight manifest');
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('BAD_MODEL', `${dir}: ${FACE_API_EXPRESSION_MANIFEST} is damaged (${(err as Error).message})`, { file: dir, cause: err });
  }
  const parts: Uint8Array[] = [];
  for (const p of manifest.flatMap((g) => g.paths)) {
    if (p.includes('/') || p.includes('\\') || p.startsWith('.'))
      throw new FerkitError('BAD_MODEL', `${dir}: the weight file "${p}" lies outside the folder`, { file: dir });
    parts.push(await readBounded(dir, p, MAX_WEIGHT_BYTES));
  }
  const data = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) data.set(p, (at += p.length) - p.length);
  return { dir, manifest, data };
}

/** The number of weights of the net, from its manifest. */
export function faceApiExpressionParameters(manifest: Manifest): number {
  return manifest.flatMap((g) => g.weights).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** The ONNX bytes of the net with its own preprocessing (see src/core/models/onnx/face-api-expression.ts). */
export async function faceApiExpressionOnnxBytes(nameOrDir: string = FACE_API_EXPRESSIONS): Promise<Uint8Array> {
  const { dir, manifest, data } = await readFaceApiExpressionWeights(nameOrDir);
  return faceApiExpressionOnnx(
    decodeWeightMap(
      data,
      manifest.flatMap((g) => g.weights),
      dir,
    ),
    packageVersion(),
  );
}

/**
 * face-api.js's expression net on TensorFlow.js, run by face-api.js itself:
 * each crop as a [48, 48, 3] tensor of its grey values in 0..255, given to
 * FaceExpressionNet.forward, which pads, resizes and normalises as it does
 * for any face. Needs TensorFlow.js set up (initEngine).
 */
async function tfjsFaceApiClassifier(nameOrDir: string): Promise<Classifier> {
  const [tf, { nodeFaceApi }] = await Promise.all([import('@tensorflow/tfjs'), import('./face-api.js')]);
  const { manifest, data } = await readFaceApiExpressionWeights(nameOrDir);
  const net = new (nodeFaceApi().api.FaceExpressionNet)();
  const weights = tf.io.decodeWeights(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    manifest.flatMap((g) => g.weights) as Tf.io.WeightsManifestEntry[],
  );
  try {
    net.loadFromWeightMap(weights);
  } catch (err) {
    tf.dispose(Object.values(weights));
    throw new FerkitError('BAD_MODEL', `face-api.js's expression net cannot load its weights (${(err as Error).message}); reinstall with \`npm ci\``, {
      cause: err,
    });
  }
  return {
    runtime: 'tfjs',
    numClasses: 7,
    async run(batch, n) {
      const faces = tf.tidy(() => tf.unstack(tf.tile(tf.mul(tf.tensor4d(batch, [n, 48, 48, 1]), 255), [1, 1, 1, 3])) as Tf.Tensor3D[]);
      let probs: Tf.Tensor2D | undefined;
      try {
        probs = await net.forward(faces);
        return toFerkitOrder((await probs.data()) as Float32Array, n);
      } finally {
        tf.dispose([...faces, ...(probs ? [probs] : [])]);
      }
    },
    dispose: () => net.dispose(),
  };
}

/** A loaded face-api.js expression net. */
export interface FaceApiExpressionClassifier {
  classifier: Classifier;
  meta: ModelMetadata;
  reason: string;
}

/**
 * face-api.js's expression net as a classifier of ferkit's 48x48 grey crops,
 * giving ferkit's seven emotions in EMOTIONS order. `nameOrDir` is
 * `face-api-expressions` (the installed weights) or a folder holding a copy.
 * `auto` and `onnx` run it on ONNX Runtime (`auto` falls back to
 * TensorFlow.js when ONNX Runtime does not load); `tfjs` runs face-api.js's
 * own FaceExpressionNet on TensorFlow.js (set up with `backend`, or as it is
 * with `current`).
 */
export async function loadFaceApiExpressionClassifier(
  nameOrDir: string = FACE_API_EXPRESSIONS,
  runtime: RuntimeChoice = 'auto',
  backend?: EngineChoice | 'current',
  knownMeta?: ModelMetadata,
): Promise<FaceApiExpressionClassifier> {
  const meta = knownMeta ?? (await faceApiExpressionMeta(nameOrDir));
  if (runtime !== 'tfjs') {
    try {
      const ort = await loadOnnxRuntime();
      const classifier = await sessionClassifier(await onnxSession(await faceApiExpressionOnnxBytes(nameOrDir)), ort.Tensor);
      return { classifier, meta, reason: "ONNX Runtime (onnxruntime-node), face-api.js's expression net written as ONNX by ferkit" };
    } catch (err) {
      if (runtime === 'onnx' || (err instanceof FerkitError && err.code !== 'ENGINE_UNAVAILABLE')) throw err;
    }
  }
  if (backend !== 'current') {
    const { initEngine } = await import('./engine.js');
    await initEngine(backend);
  }
  return { classifier: await tfjsFaceApiClassifier(nameOrDir), meta, reason: "TensorFlow.js, face-api.js's own FaceExpressionNet" };
}

/** The metadata of the net: a folder's ferkit.json (checked) when it has one, else the net's own. */
async function faceApiExpressionMeta(nameOrDir: string): Promise<ModelMetadata> {
  if (weightsFolder(nameOrDir) === nameOrDir && existsSync(join(nameOrDir, 'ferkit.json'))) {
    const { readMetadata } = await import('./model-folder.js');
    return readMetadata(nameOrDir);
  }
  return faceApiExpressionMetadata();
}

/** Writes a model folder holding the net (its weight files and ferkit.json), as an ensemble's member. Returns its metadata. */
export function writeFaceApiExpressionFolder(from: string, dir: string): ModelMetadata {
  const source = weightsFolder(from);
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(source, FACE_API_EXPRESSION_MANIFEST), 'utf8')) as Manifest;
  for (const f of [FACE_API_EXPRESSION_MANIFEST, ...manifest.flatMap((g) => g.paths)]) copyFileSync(join(source, f), join(dir, f));
  return { ...faceApiExpressionMetadata(), parameters: faceApiExpressionParameters(manifest) };
}
