import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../errors.js';
import { EMOTIONS, NUM_CLASSES } from '../labels.js';
import { mixSeed, createRng, permutation } from '../random.js';
import { IMAGE_SIZE, type Dataset } from '../data/dataset.js';
import { getArchitecture } from '../models/architectures.js';
import { canTrain } from '../engine/index.js';
import { SeededDropout } from '../models/dropout.js';
import { batchTensor, predictProbabilities } from '../models/predict.js';
import { DEFAULT_PREPROCESSING, saveModel } from '../models/io.js';
import { accuracy, argmaxRows, crossEntropy } from '../eval/metrics.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import type { EpochLogs, TrainCallbacks } from './types.js';

/** How to train. Defaults are the paper's recipe. */
export interface TrainConfig {
  /** Architecture name in the registry. Default `paper`. */
  arch: string;
  /** Default 50 (the paper). */
  epochs: number;
  /** Default 32 (the paper). */
  batchSize: number;
  /** Seeds weight initialisation, shuffling and dropout. Default 42. */
  seed: number;
  /** Adam learning rate. Default 1e-4. */
  learningRate: number;
}

export const PAPER_RECIPE: TrainConfig = { arch: 'paper', epochs: 50, batchSize: 32, seed: 42, learningRate: 1e-4 };

export interface TrainOptions {
  /** Training images. */
  train: Dataset;
  /** Validation images, evaluated after every epoch (optional). */
  validation?: Dataset;
  config?: Partial<TrainConfig>;
  /**
   * Folder for checkpoints (every epoch), the training log and the final
   * model. Without it nothing is written.
   */
  outDir?: string;
  /** Continue from the checkpoint in outDir (to the same result as an uninterrupted run). */
  resume?: boolean;
  callbacks?: TrainCallbacks[];
  /** Extra facts stored in the saved model's training config (data paths, split). */
  provenance?: Record<string, unknown>;
  /** Stop after this epoch even if `epochs` is larger (for tests of resume). */
  stopAfterEpoch?: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochLogs[];
  config: TrainConfig;
}

export const LOG_FILE = 'train-log.jsonl';

/** Mean categorical cross-entropy of softmax outputs (Keras semantics: clipped). */
export function categoricalCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar);
}

/** Targets of a batch: soft labels where the dataset has them, else one-hot. */
function targetTensor(ds: Dataset, idx: ArrayLike<number>): tf.Tensor2D {
  const y = new Float32Array(idx.length * NUM_CLASSES);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (ds.soft) y.set(ds.soft.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), k * NUM_CLASSES);
    else y[k * NUM_CLASSES + ds.labels[i]] = 1;
  }
  return tf.tensor2d(y, [idx.length, NUM_CLASSES]);
}

function validateConfig(c: TrainConfig): void {
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new FerkitError('BAD_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  };
  positiveInt(c.epochs, 'epochs');
  positiveInt(c.batchSize, 'batch size');
  if (!Number.isInteger(c.seed)) throw new FerkitError('BAD_ARGUMENT', `seed must be an integer, got ${c.seed}`);
  if (!(c.learningRate > 0)) throw new FerkitError('BAD_ARGUMENT', `learning rate must be positive, got ${c.learningRate}`);
  getArchitecture(c.arch);
}

/** Fields that must match for a checkpoint to be resumed (epochs may grow). */
const RESUME_KEYS: (keyof TrainConfig)[] = ['arch', 'batchSize', 'seed', 'learningRate'];

/**
 * Trains a model from the registry on a dataset: seeded shuffling, weight
 * initialisation and dropout; Adam; categorical cross-entropy; validation
 * after each epoch; a checkpoint and a log line each epoch when `outDir` is
 * given, and the final model saved there. With `resume`, continues from the
 * checkpoint to the same weights an uninterrupted run reaches.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config: TrainConfig = { ...PAPER_RECIPE, ...options.config };
  validateConfig(config);
  const { train: data, validation, outDir } = options;
  if (data.count === 0) throw new FerkitError('BAD_DATA', 'no training images; check --data and the usage filter');
  if (!canTrain(tf.getBackend())) {
    throw new FerkitError('ENGINE_UNAVAILABLE', `the ${tf.getBackend()} backend cannot train (no convolution gradient kernels); initialise the engine with initEngine(choice, { training: true })`);
  }
  const callbacks = options.callbacks ?? [];
  const arch = getArchitecture(config.arch);
  const model = arch.build({ seed: config.seed, numClasses: NUM_CLASSES, inputSize: IMAGE_SIZE });
  const optimizer = tf.train.adam(config.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);

  let startEpoch = 0;
  let step = 0;
  const history: EpochLogs[] = [];
  if (outDir) mkdirSync(outDir, { recursive: true });
  if (options.resume) {
    if (!outDir || !hasCheckpoint(outDir)) {
      throw new FerkitError('DATA_NOT_FOUND', `nothing to resume: no checkpoint in ${outDir ?? '(no --out given)'}. Start the run without --resume.`);
    }
    const state: CheckpointState = await loadCheckpoint(outDir, model, optimizer);
    for (const k of RESUME_KEYS) {
      if (state.config[k] !== config[k]) {
        throw new FerkitError('CHECKPOINT_MISMATCH', `the checkpoint in ${outDir} was trained with ${k}=${String(state.config[k])}, not ${String(config[k])}; resume with the same settings or use another --out`);
      }
    }
    startEpoch = state.epoch;
    step = state.step;
    history.push(...state.history);
  } else if (outDir && hasCheckpoint(outDir)) {
    throw new FerkitError('BAD_ARGUMENT', `${outDir} already holds a training checkpoint; pass --resume to continue it, or choose another --out`);
  }
  if (outDir) writeFileSync(join(outDir, LOG_FILE), history.map((h) => JSON.stringify(h) + '\n').join(''));

  const batchesPerEpoch = Math.ceil(data.count / config.batchSize);
  for (const cb of callbacks) await cb.onTrainBegin?.({ epochs: config.epochs, startEpoch, batchesPerEpoch, trainCount: data.count, valCount: validation?.count ?? 0 });
  const lastEpoch = Math.min(config.epochs, options.stopAfterEpoch ?? Infinity);
  for (let epoch = startEpoch; epoch < lastEpoch; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch + 1);
    const t0 = performance.now();
    const order = permutation(data.count, createRng(mixSeed(config.seed, epoch)));
    let lossSum = 0, correct = 0, seen = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      const idx = order.subarray(b * config.batchSize, Math.min(data.count, (b + 1) * config.batchSize));
      step++;
      for (const d of dropouts) d.step = step;
      const x = batchTensor(data.pixels, idx);
      const y = targetTensor(data, idx);
      let hits: tf.Scalar | undefined;
      const loss = optimizer.minimize(() => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), 'float32')) as tf.Scalar);
        return categoricalCrossEntropy(y, pred);
      }, true, vars) as tf.Scalar;
      const [l, h] = await Promise.all([loss.data(), hits!.data()]);
      tf.dispose([x, y, loss, hits!]);
      if (!Number.isFinite(l[0])) throw new FerkitError('BAD_DATA', `training diverged at epoch ${epoch + 1}, batch ${b + 1} (loss ${l[0]}); lower the learning rate`);
      lossSum += l[0] * idx.length;
      correct += h[0];
      seen += idx.length;
      for (const cb of callbacks) await cb.onBatchEnd?.(epoch + 1, { batch: b + 1, batches: batchesPerEpoch, loss: lossSum / seen, accuracy: correct / seen });
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const logs: EpochLogs = {
      epoch: epoch + 1,
      loss: lossSum / seen,
      accuracy: correct / seen,
      seconds: 0,
      imagesPerSecond: seen / trainSeconds,
      numTensors: 0,
      learningRate: config.learningRate,
    };
    if (validation && validation.count > 0) {
      const probs = await predictProbabilities(model, validation.pixels);
      logs.valLoss = crossEntropy(probs, validation.labels, NUM_CLASSES);
      logs.valAccuracy = accuracy(validation.labels, argmaxRows(probs, NUM_CLASSES));
    }
    logs.seconds = (performance.now() - t0) / 1000;
    logs.numTensors = tf.memory().numTensors;
    history.push(logs);
    if (outDir) {
      await saveCheckpoint(outDir, model, optimizer, { epoch: epoch + 1, step, config: { ...config }, history, savedAt: new Date().toISOString() });
      appendFileSync(join(outDir, LOG_FILE), JSON.stringify(logs) + '\n');
    }
    for (const cb of callbacks) await cb.onEpochEnd?.(logs);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(history);
  if (outDir && history.length === config.epochs) {
    const last = history[history.length - 1];
    await saveModel(model, outDir, {
      architecture: config.arch,
      description: arch.description,
      labels: [...EMOTIONS],
      preprocessing: DEFAULT_PREPROCESSING,
      training: { ...config, ...options.provenance, trainCount: data.count, validationCount: validation?.count ?? 0, engine: tf.getBackend() },
      metrics: {
        train: { loss: last.loss, accuracy: last.accuracy },
        ...(last.valAccuracy !== undefined ? { validation: { loss: last.valLoss, accuracy: last.valAccuracy } } : {}),
        epochs: history.length,
        trainingSeconds: history.reduce((s, h) => s + h.seconds, 0),
      },
    });
  }
  optimizer.dispose();
  return { model, history, config };
}

