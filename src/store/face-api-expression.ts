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
import { FACE_API_EXPRESSIONS, faceApiExpressionMetadata } from '../core/models/face-api-expression.js';
import {
  faceApiExpressionOnnxFrom,
  faceApiExpressionParameters,
  readFaceApiExpressionWeights as readWeights,
  type Manifest,
} from '../core/models/face-api-weights.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { REWRITE_ENSEMBLE } from '../core/models/start.js';
import { packageVersion } from '../fs/package.js';
import { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels } from '../fs/paths.js';
import { folderFiles } from '../fs/read.js';
import { readMetadata } from './network-files.js';

export { FACE_API_EXPRESSION_MANIFEST, installedFaceApiModels, isFaceApiExpressionModel } from '../fs/paths.js';

export type { Manifest } from '../core/models/face-api-weights.js';
export { faceApiExpressionParameters } from '../core/models/face-api-weights.js';

/** The folder holding the net's weight files: face-api's own for the name, else the folder given. */
export function weightsFolder(nameOrDir: string): string {
  return nameOrDir === FACE_API_EXPRESSIONS && !existsSync(nameOrDir) ? installedFaceApiModels() : nameOrDir;
}

/** What to do when face-api's own copy of the net's weights is missing or damaged. */
export const REINSTALL_FACE_API = "reinstall ferkit's dependencies with `npm ci`";

/** What to do when the weight files of `dir` are missing or damaged: reinstall face-api, or write the ensemble again. */
export function faceApiWeightsFix(dir: string): string {
  return dir === installedFaceApiModelsOrNone() ? REINSTALL_FACE_API : REWRITE_ENSEMBLE;
}

/** face-api's model folder, or undefined when face-api is not installed. */
function installedFaceApiModelsOrNone(): string | undefined {
  try {
    return installedFaceApiModels();
  } catch {
    return undefined;
  }
}

/** The net's weight manifest and weight bytes from a folder (files that may come from a stranger are read as model files are). */
export async function readFaceApiExpressionWeights(nameOrDir: string): Promise<{ dir: string; manifest: Manifest; data: Uint8Array }> {
  const dir = weightsFolder(nameOrDir);
  return { dir, ...(await readWeights(folderFiles(dir), faceApiWeightsFix(dir))) };
}

/** The ONNX bytes of the net with its own preprocessing (see src/core/models/onnx/face-api-expression.ts). */
export async function faceApiExpressionOnnxBytes(nameOrDir: string = FACE_API_EXPRESSIONS): Promise<Uint8Array> {
  const { dir, ...weights } = await readFaceApiExpressionWeights(nameOrDir);
  return faceApiExpressionOnnxFrom(weights, dir, packageVersion());
}

/** The metadata of the net: a folder's ferkit.json (checked) when it has one, else the net's own. */
export async function faceApiExpressionMeta(nameOrDir: string): Promise<ModelMetadata> {
  if (weightsFolder(nameOrDir) === nameOrDir && existsSync(join(nameOrDir, 'ferkit.json'))) {
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
