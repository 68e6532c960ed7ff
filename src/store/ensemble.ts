/** Ensembles on disk: one model folder whose members' probabilities are combined (an equal or weighted mean, of probabilities or log-probabilities). */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { TRAINING_LOG, type EnsembleCombine, type ModelMetadata } from '../core/models/metadata.js';
import { checkCombine, checkMemberWeights } from '../core/models/combine.js';
import { FACE_API_EXPRESSIONS, faceApiExpressionMetadata } from '../core/models/face-api-expression.js';
import type { StartClassifier } from '../core/platform.js';
import { isFaceApiExpressionModel, writeFaceApiExpressionFolder } from './face-api-expression.js';
import { loadModel, readMetadata, resolveModelDir, writeMetadata } from './folder.js';

/** How to combine an ensemble's members (ferkit.json's memberWeights and combine). */
export interface EnsembleOptions {
  /** Each member's weight, in the members' order, summing to 1. Default: equal. */
  weights?: readonly number[];
  /** `probabilities` (default): the weighted mean of the members' probabilities; `log`: of their log-probabilities, normalised. */
  combine?: EnsembleCombine;
  /** Starts the written ensemble once to check it: the platform's `startClassifier` (Node's in `ferkit/models`). */
  startClassifier: StartClassifier;
}

/** What the members must agree on: the crop ferkit hands them (a network's own further input, `network`, may differ). */
function cropOf(meta: ModelMetadata): string {
  const { network: _network, ...crop } = meta.preprocessing;
  return JSON.stringify([meta.labels, crop]);
}

/**
 * Writes a model folder that combines the probabilities of `models` (two or
 * more single-network folders, bundled names, or `face-api-expressions` for
 * face-api.js's expression net, with the same labels and crops), copied into
 * `outDir`/member-1, member-2, ... By default it is the equal mean of their
 * probabilities; `options` weighs them or combines their log-probabilities.
 * The members' temperatures are not used: fit the ensemble's own on
 * held-out data. Loads the ensemble once to check it (TensorFlow.js set up
 * as it is, for members that need it).
 */
export async function saveEnsemble(models: readonly string[], outDir: string, options: EnsembleOptions): Promise<ModelMetadata> {
  if (models.length < 2) throw new FerkitError('BAD_ARGUMENT', `an ensemble needs two or more models, got ${models.length}`);
  const weights = options.weights === undefined ? undefined : checkMemberWeights(options.weights, models.length);
  const combine = checkCombine(options.combine);
  const out = resolve(outDir);
  if (existsSync(out)) throw new FerkitError('BAD_ARGUMENT', `${out} exists; an ensemble is written to a new folder`);
  const sources: { dir: string; meta: ModelMetadata; faceApi: boolean }[] = [];
  for (const model of models) {
    const dir = resolveModelDir(model);
    let source;
    if (isFaceApiExpressionModel(dir)) source = { dir: FACE_API_EXPRESSIONS, meta: faceApiExpressionMetadata(), faceApi: true };
    else {
      const meta = existsSync(join(dir, 'ferkit.json')) ? readMetadata(dir) : undefined;
      if (meta && isFaceApiExpressionModel(dir, meta)) source = { dir, meta, faceApi: true };
      else if (!existsSync(join(dir, 'model.json'))) {
        throw new FerkitError(
          'MODEL_NOT_FOUND',
          `${dir} is not a single model folder (no model.json); for an ensemble, list its member-N folders instead (or ${FACE_API_EXPRESSIONS} for face-api.js's expression net)`,
        );
      } else source = { dir, meta: readMetadata(dir), faceApi: false };
    }
    if (sources.length && cropOf(source.meta) !== cropOf(sources[0].meta)) {
      throw new FerkitError('BAD_MODEL', `${source.dir} has other labels or preprocessing than ${sources[0].dir}; ensemble members must agree`);
    }
    sources.push(source);
  }
  const plain = weights === undefined && combine === 'probabilities' && !sources.some((s) => s.faceApi);
  mkdirSync(out, { recursive: true });
  try {
    const members = sources.map(({ dir, faceApi }, i) => {
      const name = `member-${i + 1}`;
      const to = join(out, name);
      if (faceApi) {
        writeMetadata(to, writeFaceApiExpressionFolder(dir, to));
        return name;
      }
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(dir)) {
        if (f === 'model.json' || f === 'ferkit.json' || f.endsWith('.bin') || f === TRAINING_LOG) copyFileSync(join(dir, f), join(to, f));
      }
      return name;
    });
    const described = weights ? sources.map((s, i) => `${weights[i]} x ${s.meta.architecture}`).join(', ') : `${sources.length} models`;
    const meta: ModelMetadata = {
      format: 'ferkit-model',
      formatVersion: 1,
      architecture: `ensemble(${sources.map((s) => s.meta.architecture).join('+')})`,
      labels: sources[0].meta.labels,
      preprocessing: ensembleCrop(sources),
      description: `${combine === 'log' ? 'normalised weighted mean of the log-probabilities' : weights ? 'weighted mean of the probabilities' : 'mean of the probabilities'} of ${described}`,
      members,
      ...(weights ? { memberWeights: weights } : {}),
      ...(combine !== 'probabilities' ? { combine } : {}),
      training: { members: sources.map((s) => ({ source: s.dir, architecture: s.meta.architecture, metrics: s.meta.metrics, training: s.meta.training })) },
      createdAt: new Date().toISOString(),
    };
    writeMetadata(out, meta);
    if (plain) {
      const { model } = await loadModel(out);
      meta.parameters = model.countParams();
      model.dispose();
    } else {
      await probeEnsemble(out, options.startClassifier);
      const counts = members.map((m) => readMetadata(join(out, m)).parameters);
      if (counts.every((c) => c !== undefined)) meta.parameters = counts.reduce((a, b) => a! + b!, 0);
    }
    writeMetadata(out, meta);
    return meta;
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
}

/** The crop an ensemble takes: its ferkit members' (face-api.js's net takes the same crop and makes its own input from it). */
function ensembleCrop(sources: readonly { meta: ModelMetadata; faceApi: boolean }[]): ModelMetadata['preprocessing'] {
  const { network: _network, ...crop } = (sources.find((s) => !s.faceApi) ?? sources[0]).meta.preprocessing;
  return crop;
}

/** Loads a written ensemble behind its classifier and checks it gives probabilities on a blank face; a BAD_MODEL error otherwise. */
async function probeEnsemble(dir: string, start: StartClassifier): Promise<void> {
  const { classifier, meta } = await start(dir, { backend: 'current' });
  try {
    const size = meta.preprocessing.inputSize;
    const p = await classifier.run(new Float32Array(size * size).fill(0.5), 1);
    const sum = p.reduce((a, b) => a + b, 0);
    if (!p.every((x) => Number.isFinite(x) && x >= 0) || !(Math.abs(sum - 1) < 1e-3)) {
      throw new FerkitError(
        'BAD_MODEL',
        `${dir}: the ensemble gives the probabilities ${Array.from(p, (x) => x.toPrecision(3)).join(', ')} for a blank face; a member is damaged`,
        {
          file: dir,
        },
      );
    }
  } finally {
    classifier.dispose();
  }
}
