/**
 * face-api.js's expression net (FaceExpressionNet) on disk: its weights
 * from the installed @vladmandic/face-api package (the name
 * `face-api-expressions`) or from a model folder holding a copy (an
 * ensemble's member written by `ferkit ensemble`), its ONNX graph written
 * from them (src/core/models/onnx/face-api-expression.ts), and such a
 * member folder written.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { FACE_API_EXPRESSIONS, faceApiExpressionMetadata } from '../core/models/face-api-expression.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { faceApiExpressionOnnx } from '../core/models/onnx/face-api-expression.js';
import { decodeWeightMap, type ManifestWeight } from '../core/onnx/weight-map.js';
import { packageVersion } from '../fs/package.js';
import { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels } from '../fs/paths.js';
import { readModelFile } from '../fs/read.js';

export { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels, isFaceApiExpressionModel } from '../fs/paths.js';

/** The most bytes the manifest and the weights may hold (they hold about 7 KB and 330 KB). */
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_WEIGHT_BYTES = 64 << 20;

export type Manifest = { paths: string[]; weights: ManifestWeight[] }[];

/** The folder holding the net's weight files: face-api's own for the name, else the folder given. */
export function weightsFolder(nameOrDir: string): string {
  return nameOrDir === FACE_API_EXPRESSIONS && !existsSync(nameOrDir) ? installedFaceApiModels() : nameOrDir;
}

/** A file of the weights folder, bounded; a FerkitError naming what to do when it is missing or too big. */
async function readBounded(dir: string, path: string, maxBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    // files of a folder that may come from a stranger are read as model files are (regular files inside the folder, measured first)
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

/** The metadata of the net: a folder's ferkit.json (checked) when it has one, else the net's own. */
export async function faceApiExpressionMeta(nameOrDir: string): Promise<ModelMetadata> {
  if (weightsFolder(nameOrDir) === nameOrDir && existsSync(join(nameOrDir, 'ferkit.json'))) {
    // loaded only here: model folders bring TensorFlow.js, which recognition does not load
    const { readMetadata } = await import('./folder.js');
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
