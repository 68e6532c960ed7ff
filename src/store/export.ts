/** Inference copies of a model folder: batch norm folded, weights optionally float16; or one ONNX file. */
import type * as tf from '@tensorflow/tfjs';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { foldBatchNorm } from '../core/models/fold.js';
import { TRAINING_LOG, type ModelMetadata, type WeightsDtype } from '../core/models/metadata.js';
import { loadModel, readMetadata, resolveModelDir, saveModel } from './folder.js';
import { writeAtomic } from '../fs/write.js';
import { onnxModelBytes } from '../core/models/onnx/model.js';
import { packageVersion } from '../fs/package.js';

export interface ExportOptions {
  /** Storage of the weights; float16 halves the size. Default float32. */
  weights?: WeightsDtype;
  /** Keep the batch norm layers instead of folding them into the layers before them. Default false. */
  keepBatchNorm?: boolean;
}

/**
 * Writes an inference copy of a single-network model folder to `outDir`:
 * batch norm folded (unless kept) and the weights stored as asked, with its
 * metadata and training log. Needs an initialised engine.
 */
export async function exportModel(nameOrDir: string, outDir: string, options: ExportOptions = {}): Promise<{ meta: ModelMetadata; folded: boolean }> {
  const dir = resolveModelDir(nameOrDir);
  if (resolve(dir) === resolve(outDir)) throw new FerkitError('BAD_ARGUMENT', "an export goes to a new folder, not the model's own");
  if (readMetadata(dir).members) throw new FerkitError('BAD_ARGUMENT', `${dir} is an ensemble: export each member, then put them together as an ensemble`);
  const { model, meta } = await loadModel(dir);
  const { format: _f, formatVersion: _v, parameters: _p, weightsDtype: _w, ...rest } = meta;
  let folded: Awaited<ReturnType<typeof foldBatchNorm>> | null = null;
  try {
    folded = options.keepBatchNorm ? null : await foldBatchNorm(model);
    await saveModel(folded ?? model, outDir, { ...rest, ...(folded ? { foldedBatchNorm: true } : {}) }, { weights: options.weights ?? 'float32' });
  } finally {
    model.dispose();
    folded?.dispose();
  }
  if (existsSync(join(dir, TRAINING_LOG))) copyFileSync(join(dir, TRAINING_LOG), join(outDir, TRAINING_LOG));
  return { meta: readMetadata(outDir), folded: folded !== null };
}

/** The ONNX bytes of a loaded model, with this ferkit's version in them. */
export function onnxBytes(model: tf.LayersModel, meta: ModelMetadata): Uint8Array {
  return onnxModelBytes(model, meta, { ferkitVersion: packageVersion() });
}

/**
 * Writes a model (a folder, a bundled model's name, or an ensemble) as one
 * ONNX file: input `faces` [batch, 48, 48, 1] float32 (grey pixel / 255),
 * outputs `probabilities` (calibrated as ferkit reports them) and
 * `uncalibrated`; labels, preprocessing and calibration in its metadata
 * (docs/export.md). Needs an initialised engine. Returns the file's size.
 */
export async function exportOnnx(nameOrDir: string, outFile: string): Promise<{ meta: ModelMetadata; bytes: number }> {
  const dir = resolveModelDir(nameOrDir);
  const { model, meta } = await loadModel(dir);
  let bytes: Uint8Array;
  try {
    bytes = onnxBytes(model, meta);
  } finally {
    model.dispose();
  }
  const parent = dirname(resolve(outFile));
  if (!existsSync(parent)) mkdirSync(parent, { recursive: true });
  writeAtomic(outFile, bytes);
  return { meta, bytes: bytes.length };
}
