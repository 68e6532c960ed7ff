/**
 * face-api.js's expression net (FaceExpressionNet) from its weight files,
 * read through `ModelFiles` (face-api's own model folder, an ensemble's
 * member folder, or a URL): its manifest and weights, bounded, and the
 * ONNX graph written from them (core/models/onnx/face-api-expression.ts).
 * Platform-neutral; no TensorFlow.js.
 */
import { FerkitError } from '../errors.js';
import type { ModelFiles } from '../files.js';
import { concatBytes } from '../numeric.js';
import { decodeWeightMap, type ManifestWeight } from '../onnx/weight-map.js';
import { FACE_API_EXPRESSION_MANIFEST } from './face-api-expression.js';
import { faceApiExpressionOnnx } from './onnx/face-api-expression.js';

/** The most bytes the manifest and the weights may hold (they hold about 7 KB and 330 KB). */
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_WEIGHT_BYTES = 64 << 20;

/** A TensorFlow.js weight manifest: weight files and the tensors they hold. */
export type Manifest = { paths: string[]; weights: ManifestWeight[] }[];

/** The net's weight manifest and its weight files joined. */
export interface FaceApiExpressionWeights {
  manifest: Manifest;
  data: Uint8Array;
}

/** A file of the weights, bounded; a FerkitError ending with `fix` (what to do) when it is missing or too big. */
async function readBounded(files: ModelFiles, path: string, maxBytes: number, fix: string): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await files.read(path, maxBytes);
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('MODEL_NOT_FOUND', `${files.location}/${path} cannot be read (${(err as Error).message})`, { file: files.location, cause: err });
  }
  if (!bytes || bytes.length > maxBytes) {
    throw new FerkitError(
      bytes ? 'BAD_MODEL' : 'MODEL_NOT_FOUND',
      `${files.location}: ${path} is ${bytes ? 'larger than face-api.js expression weights are' : 'missing'}; ${fix}`,
      { file: files.location },
    );
  }
  return bytes;
}

/**
 * The net's weight manifest and weight bytes from `files`. `fix` says what
 * to do when a file is missing or too big (reinstall, write the ensemble again).
 */
export async function readFaceApiExpressionWeights(files: ModelFiles, fix: string): Promise<FaceApiExpressionWeights> {
  const dir = files.location;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readBounded(files, FACE_API_EXPRESSION_MANIFEST, MAX_MANIFEST_BYTES, fix))) as Manifest;
    if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g.paths) && Array.isArray(g.weights))) throw new Error('not a weight manifest');
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('BAD_MODEL', `${dir}: ${FACE_API_EXPRESSION_MANIFEST} is damaged (${(err as Error).message})`, { file: dir, cause: err });
  }
  const parts: Uint8Array[] = [];
  for (const p of manifest.flatMap((g) => g.paths)) {
    if (p.includes('/') || p.includes('\\') || p.startsWith('.'))
      throw new FerkitError('BAD_MODEL', `${dir}: the weight file "${p}" lies outside the folder`, { file: dir });
    parts.push(await readBounded(files, p, MAX_WEIGHT_BYTES, fix));
  }
  return { manifest, data: concatBytes(parts) };
}

/** The number of weights of the net, from its manifest. Pure. */
export function faceApiExpressionParameters(manifest: Manifest): number {
  return manifest.flatMap((g) => g.weights).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** The ONNX bytes of the net with its own preprocessing, from its weights (read from `location`). */
export function faceApiExpressionOnnxFrom(weights: FaceApiExpressionWeights, location: string, ferkitVersion?: string): Uint8Array {
  return faceApiExpressionOnnx(
    decodeWeightMap(
      weights.data,
      weights.manifest.flatMap((g) => g.weights),
      location,
    ),
    ferkitVersion,
  );
}
