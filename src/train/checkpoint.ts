import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { decodeTensors, encodeTensors, namedWeights } from '../core/models/weights.js';
import { modelFingerprint } from '../store/folder.js';
import { syncDir, writeFileDurable } from '../fs/write.js';
import { PAPER_RECIPE, type TrainConfig } from './config.js';
import type { EpochLogs } from './types.js';

/** What a checkpoint remembers besides tensors. */
export interface CheckpointState {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  /** The config the run was started with (compared on resume). */
  config: Record<string, unknown>;
  history: EpochLogs[];
  savedAt: string;
  /** Epoch (1-based) with the best validation accuracy so far, and that accuracy. */
  bestEpoch?: number;
  bestAccuracy?: number;
  /**
   * What the run was trained on: image counts and the provenance facts that
   * pick the images (split, split seed, usage...), compared on resume.
   */
  data?: Record<string, unknown>;
}

const DIR = 'checkpoint';

/**
 * Adam keeps beta1^t and beta2^t as running products that its getWeights()
 * leaves out; setWeights() recomputes them with pow(), which differs in the
 * last bits. Saving them too makes a resumed run bit-identical.
 */
type WithAccBetas = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
function extraOptimizerState(optimizer: tf.Optimizer): { name: string; tensor: tf.Variable }[] {
  const o = optimizer as unknown as WithAccBetas;
  return o.accBeta1 instanceof tf.Variable && o.accBeta2 instanceof tf.Variable
    ? [
        { name: 'accBeta1', tensor: o.accBeta1 },
        { name: 'accBeta2', tensor: o.accBeta2 },
      ]
    : [];
}

export function checkpointDir(outDir: string): string {
  return join(outDir, DIR);
}

export function hasCheckpoint(outDir: string): boolean {
  recoverFolder(join(outDir, DIR));
  return existsSync(join(outDir, DIR, 'state.json'));
}

/** The file replaceFolder writes last into a new folder: its presence says every other file is on the disk. */
const COMPLETE = '.complete';

/**
 * Puts back the folder `final` after a crash inside replaceFolder: when
 * only `final.tmp` (complete) and `final.old` are left, the new one
 * becomes `final`; an incomplete `final.tmp` gives way to `final.old`.
 * Leftovers beside an intact `final` are removed.
 */
export function recoverFolder(final: string): void {
  const tmp = `${final}.tmp`;
  const old = `${final}.old`;
  if (!existsSync(final)) {
    if (existsSync(join(tmp, COMPLETE))) renameSync(tmp, final);
    else if (existsSync(old)) renameSync(old, final);
    else return;
    syncDir(dirname(final));
  }
  rmSync(tmp, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}

/** Writes a model's weights into `dir` as weights.bin + weights.json (named tensors). */
export async function writeModelWeights(dir: string, model: tf.LayersModel): Promise<void> {
  const w = await encodeTensors(namedWeights(model));
  writeFileDurable(join(dir, 'weights.bin'), w.data);
  writeFileDurable(join(dir, 'weights.json'), JSON.stringify(w.specs));
}

/** Loads weights written by writeModelWeights into a model of the same architecture. */
export function readModelWeights(dir: string, model: tf.LayersModel): void {
  const weights = decodeTensors(readFileSync(join(dir, 'weights.bin')), JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')));
  try {
    model.setWeights(
      model.weights.map((w) => {
        const t = weights[w.originalName];
        if (!t)
          throw new FerkitError(
            'CHECKPOINT_MISMATCH',
            `checkpoint in ${dir} has no weight ${w.originalName}; it was written by another architecture. Use another outDir or start without resume.`,
            { options: ['outDir', 'resume'] },
          );
        return t;
      }),
    );
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Replaces the folder `final` with one filled by `fill` (which writes its
 * files with writeFileDurable), atomically: a crash at any moment leaves
 * either the previous folder or the new one, complete, which
 * `recoverFolder` puts back in place.
 */
export async function replaceFolder(final: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const tmp = `${final}.tmp`;
  const old = `${final}.old`;
  recoverFolder(final);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await fill(tmp);
  writeFileDurable(join(tmp, COMPLETE), '');
  syncDir(tmp);
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  syncDir(dirname(final));
  rmSync(old, { recursive: true, force: true });
}

/**
 * Saves model weights, optimizer state and the run's state into
 * `<outDir>/checkpoint/`, atomically: a crash mid-write leaves the previous
 * checkpoint intact.
 */
export async function saveCheckpoint(outDir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  await replaceFolder(join(outDir, DIR), async (tmp) => {
    await writeModelWeights(tmp, model);
    const optWeights = await optimizer.getWeights();
    const o = await encodeTensors([...optWeights.map((t, i) => ({ name: `${i}:${t.name}`, tensor: t.tensor })), ...extraOptimizerState(optimizer)]);
    writeFileDurable(join(tmp, 'optimizer.bin'), o.data);
    writeFileDurable(join(tmp, 'optimizer.json'), JSON.stringify(o.specs));
    // getWeights() hands out the moment variables themselves plus a fresh iteration scalar: free that one
    tf.dispose(optWeights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
    writeFileDurable(join(tmp, 'state.json'), JSON.stringify(state));
  });
}

/** Restores a checkpoint into a freshly built model and optimizer; returns its state. */
export async function loadCheckpoint(outDir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const dir = join(outDir, DIR);
  recoverFolder(dir);
  recoverFolder(join(outDir, 'best'));
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as CheckpointState;
  readModelWeights(dir, model);
  const specs = JSON.parse(readFileSync(join(dir, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[];
  const opt = decodeTensors(readFileSync(join(dir, 'optimizer.bin')), specs);
  // optimizer weights are positional: keep the saved order, strip the index prefix
  const positional = specs.filter((s) => /^\d+:/.test(s.name));
  await optimizer.setWeights(positional.map((s) => ({ name: s.name.slice(s.name.indexOf(':') + 1), tensor: opt[s.name] })));
  for (const { name, tensor } of extraOptimizerState(optimizer)) if (opt[name]) tensor.assign(opt[name]);
  tf.dispose(Object.values(opt)); // setWeights copied them into variables
  return state;
}

/** Fields that must match for a checkpoint to be resumed (epochs may grow). */
const RESUME_KEYS: (keyof TrainConfig)[] = [
  'arch',
  'batchSize',
  'seed',
  'optimizer',
  'momentum',
  'learningRate',
  'schedule',
  'warmupEpochs',
  'plateauPatience',
  'plateauFactor',
  'weightDecay',
  'classWeighting',
  'balancedSampling',
  'focalGamma',
  'labelSmoothing',
  'equalize',
  'mixup',
  'keepBest',
  'distillWeight',
  'distillTemperature',
];

/** Provenance facts that choose the training and validation images; they must match on resume. */
const RESUME_DATA_KEYS = ['usage', 'split', 'splitSeed', 'validationUsage', 'ferplus', 'limit', 'dedupe'];

/**
 * What a checkpoint records of the data a run trains on: image counts, the
 * provenance facts that choose the images (see RESUME_DATA_KEYS) and the
 * teacher that gives its targets, with the SHA-256 of its weights.
 */
export function dataFacts(run: { train: Dataset; validation?: Dataset; provenance?: Record<string, unknown>; teacher?: string }): Record<string, unknown> {
  const facts: Record<string, unknown> = { trainCount: run.train.count, validationCount: run.validation?.count ?? 0 };
  for (const k of RESUME_DATA_KEYS) if (run.provenance?.[k] !== undefined) facts[k] = run.provenance[k];
  if (run.teacher !== undefined) {
    facts.teacher = run.teacher;
    facts.teacherSha256 = modelFingerprint(run.teacher);
  }
  return facts;
}

/** A fresh run must not overwrite the checkpoint of another. */
export function checkFreshStart(outDir: string | undefined): void {
  if (outDir && hasCheckpoint(outDir)) {
    throw new FerkitError('BAD_ARGUMENT', `${outDir} already holds a training checkpoint; set resume to continue it, or choose another outDir`, {
      options: ['resume', 'outDir'],
    });
  }
}

/**
 * Restores the checkpoint in `outDir` into a freshly built model and
 * optimizer, after checking that it was trained with the same settings
 * (RESUME_KEYS of `config`) on the same data (`facts`, from dataFacts).
 */
export async function resumeCheckpoint(
  outDir: string | undefined,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  config: TrainConfig,
  facts: Record<string, unknown>,
): Promise<CheckpointState> {
  if (!outDir || !hasCheckpoint(outDir)) {
    throw new FerkitError('DATA_NOT_FOUND', `nothing to resume: no checkpoint in ${outDir ?? '(no outDir given)'}. Start the run without resume.`, {
      options: ['resume', 'outDir'],
    });
  }
  const state = await loadCheckpoint(outDir, model, optimizer);
  for (const k of RESUME_KEYS) {
    if ((state.config[k] ?? PAPER_RECIPE[k]) !== config[k]) {
      throw new FerkitError(
        'CHECKPOINT_MISMATCH',
        `the checkpoint in ${outDir} was trained with ${k}=${String(state.config[k])}, not ${String(config[k])}; resume with the same settings or use another outDir`,
        { options: ['outDir'] },
      );
    }
  }
  for (const [k, was] of Object.entries(state.data ?? {})) {
    if (JSON.stringify(was) !== JSON.stringify(facts[k])) {
      throw new FerkitError(
        'CHECKPOINT_MISMATCH',
        `the checkpoint in ${outDir} was trained on data with ${k}=${JSON.stringify(was)}, not ${JSON.stringify(facts[k])}; resume with the same training data, validation data and teacher, or use another outDir`,
        { options: ['train', 'validation', 'teacher', 'outDir'] },
      );
    }
  }
  return state;
}
