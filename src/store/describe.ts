/** What a model folder holds, read from its metadata and files (no weights loaded). */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelMetadata } from '../core/models/metadata.js';
import { modelFingerprint, networkFolders, readMetadata, resolveModelDir, weightFiles } from './folder.js';

/** A model folder described: what `ferkit info --model` prints (metadata and file sizes only). */
export interface ModelDescription {
  dir: string;
  architecture: string;
  description?: string;
  parameters?: number;
  labels: string[];
  weightsDtype: string;
  foldedBatchNorm: boolean;
  /** Bytes of weights on disk (all members for an ensemble). */
  weightsBytes: number;
  /** SHA-256 of topology and weights, as a distilled run records its teacher. */
  sha256: string;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  calibration?: ModelMetadata['calibration'];
  members?: { folder: string; architecture: string; training?: Record<string, unknown>; metrics?: Record<string, unknown> }[];
}

/** Describes a model folder, or a bundled model by name. */
export function describeModel(nameOrDir: string): ModelDescription {
  const dir = resolveModelDir(nameOrDir);
  const meta = readMetadata(dir);
  const folders = networkFolders(dir, meta);
  const metas = meta.members ? folders.map((f) => readMetadata(join(dir, f))) : [meta];
  const weightsBytes = folders.reduce((sum, f) => sum + weightFiles(join(dir, f)).reduce((s, p) => s + statSync(join(dir, f, p)).size, 0), 0);
  const members = meta.members?.map((folder, i) => {
    const m = metas[i];
    return { folder, architecture: m.architecture, ...(m.training ? { training: m.training } : {}), ...(m.metrics ? { metrics: m.metrics } : {}) };
  });
  const dtypes = new Set(metas.map((m) => m.weightsDtype ?? 'float32'));
  return {
    dir,
    architecture: meta.architecture,
    ...(meta.description ? { description: meta.description } : {}),
    ...(meta.parameters !== undefined ? { parameters: meta.parameters } : {}),
    labels: meta.labels,
    weightsDtype: [...dtypes].join('+'),
    foldedBatchNorm: metas.every((m) => m.foldedBatchNorm === true),
    weightsBytes,
    sha256: modelFingerprint(dir),
    ...(meta.training && !members ? { training: meta.training } : {}),
    ...(meta.metrics ? { metrics: meta.metrics } : {}),
    ...(meta.calibration ? { calibration: meta.calibration } : {}),
    ...(members ? { members } : {}),
  };
}
