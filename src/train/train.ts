import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../errors.js';
import { EMOTIONS, NUM_CLASSES } from '../labels.js';
import { IMAGE_SIZE } from '../image/preprocess.js';
import { classCounts, type Dataset } from '../data/dataset.js';
import { getArchitecture } from '../models/architectures.js';
import { canTrain } from '../engine.js';
import { SeededDropout } from '../models/dropout.js';
import { normalisedImages, predictProbabilities } from '../models/predict.js';
import { DEFAULT_PREPROCESSING, type Calibration } from '../models/metadata.js';
import { loadModel, modelFingerprint, saveModel } from '../node/model-folder.js';
import { argmaxRows } from '../numeric.js';
import { computeMetrics, crossEntropy } from '../eval/metrics.js';
import { applyCalibration, applyTemperature } from '../models/calibration.js';
import { decisionMacroF1, expectedCalibrationError, fitClassBias, fitTemperature } from '../eval/calibration.js';
import { hasCheckpoint, loadCheckpoint, readModelWeights, replaceFolder, saveCheckpoint, writeModelWeights, type CheckpointState } from './checkpoint.js';
import type { EpochLogs, TrainCallbacks } from './types.js';
import { NO_AUGMENTATION, STANDARD_AUGMENTATION, augmentBatch, isAugmenting, type AugmentConfig } from './augment.js';
import { mixupBatch } from './mixup.js';
import { classWeights, epochOrder, type ClassWeighting } from './balance.js';
import { mixTargets, teacherTargets } from './distill.js';

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
  /** Adam learning rate (the peak, with a schedule). Default 1e-4. */
  learningRate: number;
  /** `constant`, or `cosine` decay to 0 over the run after `warmupEpochs` of linear warm-up. Default constant. */
  schedule: 'constant' | 'cosine';
  /** Epochs of linear learning-rate warm-up (cosine schedule). Default 0. */
  warmupEpochs: number;
  /** Decoupled weight decay (AdamW style) on kernels. Default 0. */
  weightDecay: number;
  /** Loss weights per class from the training counts. Default none. */
  classWeighting: ClassWeighting;
  /** Draw each batch class-balanced (with replacement). Default false. */
  balancedSampling: boolean;
  /** Focal loss exponent; 0 is plain cross-entropy. Default 0. */
  focalGamma: number;
  /** Label smoothing epsilon. Default 0. */
  labelSmoothing: number;
  /** On-the-fly augmentation. Default none (the paper recipe). */
  augment: AugmentConfig;
  /** Mixup: blend each batch with a shuffled copy of itself, images and targets, by a Beta(alpha, alpha) weight; 0 = off. Default 0. */
  mixup: number;
  /** Keep the weights of the epoch with the best validation accuracy as the final model. Default false. */
  keepBest: boolean;
  /** Stop when validation accuracy has not improved for this many epochs; 0 = never. Default 0. */
  earlyStopping: number;
  /** Fit a temperature on the validation data after training and store it with the model. Default false. */
  calibrate: boolean;
  /**
   * Knowledge distillation: the weight of the teacher's soft targets
   * (`TrainOptions.teacher`) against the labels, in [0, 1]; 0 trains on the
   * labels alone. Default 0.
   */
  distillWeight: number;
  /** Softening of the teacher's probabilities, softmax(log p / T). Default 1. */
  distillTemperature: number;
}

export const PAPER_RECIPE: TrainConfig = {
  arch: 'paper', epochs: 50, batchSize: 32, seed: 42, learningRate: 1e-4,
  schedule: 'constant', warmupEpochs: 0, weightDecay: 0, classWeighting: 'none', balancedSampling: false,
  focalGamma: 0, labelSmoothing: 0, augment: NO_AUGMENTATION, mixup: 0, keepBest: false, earlyStopping: 0, calibrate: false,
  distillWeight: 0, distillTemperature: 1,
};

/** ferkit's recommended recipe beyond the paper: see docs/experiments.md for how it was chosen. */
export const RECOMMENDED_RECIPE: TrainConfig = {
  ...PAPER_RECIPE,
  arch: 'vgg', epochs: 60, batchSize: 64, learningRate: 2e-3, schedule: 'cosine', warmupEpochs: 2, weightDecay: 1e-4,
  classWeighting: 'effective', labelSmoothing: 0.1, augment: STANDARD_AUGMENTATION, keepBest: true, earlyStopping: 0, calibrate: true,
};

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
  /**
   * Start from the weights of a saved model (a folder written by `train`, of
   * the same architecture, not an exported copy with folded batch norm)
   * instead of a fresh initialisation: fine-tuning. Ignored on resume (the
   * checkpoint holds the weights).
   */
  init?: string;
  /**
   * A trained model (folder or bundled name, an ensemble too) whose
   * probabilities on the training images, averaged with the mirror image and
   * softened by `distillTemperature`, are mixed into the targets with
   * `distillWeight`: knowledge distillation. The model records the teacher's
   * path and the SHA-256 of its weights; `resume` refuses another. Training
   * accuracy then counts agreement with the mixed targets' top class.
   */
  teacher?: string;
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

export interface LossOptions {
  /** Weight of each class (applied to its target column). */
  weights?: readonly number[];
  /** Focal loss exponent (0: cross-entropy). */
  gamma?: number;
  /** Label smoothing epsilon. */
  smoothing?: number;
}

/**
 * Mean categorical cross-entropy of softmax outputs (Keras semantics:
 * clipped), with optional class weights, focal modulation (1 - p)^gamma and
 * label smoothing.
 */
export function weightedLoss(yTrue: tf.Tensor, yPred: tf.Tensor, o: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const k = yTrue.shape[yTrue.shape.length - 1] as number;
    const y = o.smoothing ? tf.add(tf.mul(yTrue, 1 - o.smoothing), o.smoothing / k) : yTrue;
    const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
    let terms = tf.mul(y, tf.log(p));
    if (o.gamma) terms = tf.mul(terms, tf.pow(tf.sub(1, p), o.gamma));
    if (o.weights) terms = tf.mul(terms, tf.tensor1d([...o.weights]));
    return tf.neg(tf.mean(tf.sum(terms, -1))) as tf.Scalar;
  });
}

/** Learning rate at a step: constant, or linear warm-up then cosine decay to 0. Pure. */
export function learningRateAt(c: Pick<TrainConfig, 'learningRate' | 'schedule' | 'warmupEpochs' | 'epochs'>, step: number, stepsPerEpoch: number): number {
  if (c.schedule === 'constant') return c.learningRate;
  const warm = c.warmupEpochs * stepsPerEpoch;
  const total = c.epochs * stepsPerEpoch;
  if (step < warm) return (c.learningRate * (step + 1)) / warm;
  const t = (step - warm) / Math.max(1, total - warm);
  return 0.5 * c.learningRate * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

/** A normalised, optionally augmented input batch (count x 48 x 48 floats). */
function inputBatch(ds: Dataset, idx: ArrayLike<number>, augment: AugmentConfig, seed: number, step: number): Float32Array {
  const x = normalisedImages(ds.pixels, idx);
  if (isAugmenting(augment)) augmentBatch(x, idx.length, IMAGE_SIZE, augment, seed, step);
  return x;
}

/**
 * Targets of a batch: soft labels where the dataset has them, else one-hot;
 * mixed with the teacher's targets (count * 7, for the whole dataset) when distilling.
 */
function targetBatch(ds: Dataset, idx: ArrayLike<number>, teacher?: { targets: Float32Array; weight: number }): Float32Array {
  const y = new Float32Array(idx.length * NUM_CLASSES);
  const t = teacher ? new Float32Array(idx.length * NUM_CLASSES) : undefined;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (ds.soft) y.set(ds.soft.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), k * NUM_CLASSES);
    else y[k * NUM_CLASSES + ds.labels[i]] = 1;
    t?.set(teacher!.targets.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), k * NUM_CLASSES);
  }
  return t ? mixTargets(y, t, teacher!.weight) : y;
}

function validateConfig(c: TrainConfig): void {
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new FerkitError('BAD_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  };
  positiveInt(c.epochs, 'epochs');
  positiveInt(c.batchSize, 'batch size');
  if (!Number.isInteger(c.seed)) throw new FerkitError('BAD_ARGUMENT', `seed must be an integer, got ${c.seed}`);
  if (!(c.learningRate > 0)) throw new FerkitError('BAD_ARGUMENT', `learning rate must be positive, got ${c.learningRate}`);
  if (!['constant', 'cosine'].includes(c.schedule)) throw new FerkitError('BAD_ARGUMENT', `schedule must be constant or cosine, got ${c.schedule}`);
  if (!['none', 'inverse', 'effective'].includes(c.classWeighting)) throw new FerkitError('BAD_ARGUMENT', `class weighting must be none, inverse or effective, got ${c.classWeighting}`);
  if (!(c.mixup >= 0 && Number.isFinite(c.mixup))) throw new FerkitError('BAD_ARGUMENT', `mixup alpha must be a number >= 0 (0 = off; 0.2 is usual), got ${c.mixup}`);
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) throw new FerkitError('BAD_ARGUMENT', `label smoothing must be in [0, 1), got ${c.labelSmoothing}`);
  if (!(c.focalGamma >= 0)) throw new FerkitError('BAD_ARGUMENT', `focal gamma must be >= 0, got ${c.focalGamma}`);
  if (!(c.weightDecay >= 0)) throw new FerkitError('BAD_ARGUMENT', `weight decay must be >= 0, got ${c.weightDecay}`);
  if (!(c.distillWeight >= 0 && c.distillWeight <= 1)) throw new FerkitError('BAD_ARGUMENT', `distillation weight must be in [0, 1], got ${c.distillWeight}`);
  if (!(c.distillTemperature > 0)) throw new FerkitError('BAD_ARGUMENT', `distillation temperature must be positive, got ${c.distillTemperature}`);
  getArchitecture(c.arch);
}

/** Provenance facts that choose the training and validation images; they must match on resume. */
const RESUME_DATA_KEYS = ['usage', 'split', 'splitSeed', 'validationUsage', 'ferplus', 'limit', 'dedupe'];

/** What a checkpoint records of the data it was trained on (see RESUME_DATA_KEYS) and of the teacher that gave its targets. */
function dataFacts(options: TrainOptions): Record<string, unknown> {
  const facts: Record<string, unknown> = { trainCount: options.train.count, validationCount: options.validation?.count ?? 0 };
  for (const k of RESUME_DATA_KEYS) if (options.provenance?.[k] !== undefined) facts[k] = options.provenance[k];
  if (options.teacher !== undefined) {
    facts.teacher = options.teacher;
    facts.teacherSha256 = modelFingerprint(options.teacher);
  }
  return facts;
}

/** Fields that must match for a checkpoint to be resumed (epochs may grow). */
const RESUME_KEYS: (keyof TrainConfig)[] = ['arch', 'batchSize', 'seed', 'learningRate', 'schedule', 'warmupEpochs', 'weightDecay', 'classWeighting', 'balancedSampling', 'focalGamma', 'labelSmoothing', 'mixup', 'keepBest', 'distillWeight', 'distillTemperature'];

/**
 * Trains a model from the registry on a dataset: seeded shuffling, weight
 * initialisation and dropout; Adam; categorical cross-entropy; validation
 * after each epoch; a checkpoint and a log line each epoch when `outDir` is
 * given, and the final model saved there. With `resume`, continues from the
 * checkpoint to the same weights an uninterrupted run reaches.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config: TrainConfig = { ...PAPER_RECIPE, ...options.config, augment: { ...NO_AUGMENTATION, ...options.config?.augment } };
  validateConfig(config);
  const { train: data, validation, outDir } = options;
  if (data.count === 0) throw new FerkitError('BAD_DATA', 'no training images; check --data and the usage filter');
  if (config.distillWeight > 0 && !options.teacher) throw new FerkitError('BAD_ARGUMENT', `a distillation weight of ${config.distillWeight} needs a teacher model (--teacher DIR)`);
  if (options.teacher && config.distillWeight === 0) throw new FerkitError('BAD_ARGUMENT', `a teacher (${options.teacher}) needs a distillation weight above 0 (--distill-weight W), else it would be ignored`);
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
  let best = { epoch: 0, accuracy: -1 };
  const lossOptions: LossOptions = {
    ...(config.classWeighting !== 'none' ? { weights: classWeights(classCounts(data.labels), config.classWeighting) } : {}),
    ...(config.focalGamma ? { gamma: config.focalGamma } : {}),
    ...(config.labelSmoothing ? { smoothing: config.labelSmoothing } : {}),
  };
  const decayed = model.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read() as tf.Variable);
  const adam = optimizer as unknown as { learningRate: number };
  const history: EpochLogs[] = [];
  const facts = dataFacts(options);
  if (outDir) mkdirSync(outDir, { recursive: true });
  if (options.resume) {
    if (!outDir || !hasCheckpoint(outDir)) {
      throw new FerkitError('DATA_NOT_FOUND', `nothing to resume: no checkpoint in ${outDir ?? '(no --out given)'}. Start the run without --resume.`);
    }
    const state: CheckpointState = await loadCheckpoint(outDir, model, optimizer);
    for (const k of RESUME_KEYS) {
      if ((state.config[k] ?? PAPER_RECIPE[k]) !== config[k]) {
        throw new FerkitError('CHECKPOINT_MISMATCH', `the checkpoint in ${outDir} was trained with ${k}=${String(state.config[k])}, not ${String(config[k])}; resume with the same settings or use another --out`);
      }
    }
    for (const [k, was] of Object.entries(state.data ?? {})) {
      if (JSON.stringify(was) !== JSON.stringify(facts[k])) {
        throw new FerkitError('CHECKPOINT_MISMATCH', `the checkpoint in ${outDir} was trained on data with ${k}=${JSON.stringify(was)}, not ${JSON.stringify(facts[k])}; resume with the same --data, --usage, --split, --split-seed, --val, --limit, --dedupe and --teacher, or use another --out`);
      }
    }
    startEpoch = state.epoch;
    step = state.step;
    history.push(...state.history);
    best = { epoch: state.bestEpoch ?? 0, accuracy: state.bestAccuracy ?? -1 };
  } else if (outDir && hasCheckpoint(outDir)) {
    throw new FerkitError('BAD_ARGUMENT', `${outDir} already holds a training checkpoint; pass --resume to continue it, or choose another --out`);
  } else if (options.init) {
    await initialiseFrom(options.init, model, config.arch);
  }
  if (outDir) writeFileSync(join(outDir, LOG_FILE), history.map((h) => JSON.stringify(h) + '\n').join(''));

  const teacher = options.teacher
    ? { targets: await teacherTargets(options.teacher, data, { temperature: config.distillTemperature }), weight: config.distillWeight }
    : undefined;
  const batchesPerEpoch = Math.ceil(data.count / config.batchSize);
  for (const cb of callbacks) await cb.onTrainBegin?.({ epochs: config.epochs, startEpoch, batchesPerEpoch, trainCount: data.count, valCount: validation?.count ?? 0 });
  const lastEpoch = Math.min(config.epochs, options.stopAfterEpoch ?? Infinity);
  let stoppedEarly = false;
  let bestInMemory: tf.Tensor[] | undefined;
  for (let epoch = startEpoch; epoch < lastEpoch; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch + 1);
    const t0 = performance.now();
    const order = epochOrder(data.labels, epoch, config.seed, config.balancedSampling);
    let lossSum = 0, correct = 0, seen = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      const idx = order.subarray(b * config.batchSize, Math.min(data.count, (b + 1) * config.batchSize));
      const lr = learningRateAt(config, step, batchesPerEpoch);
      adam.learningRate = lr;
      step++;
      for (const d of dropouts) d.step = step;
      const xs = inputBatch(data, idx, config.augment, config.seed, step);
      const ys = targetBatch(data, idx, teacher);
      if (config.mixup > 0) mixupBatch(xs, ys, idx.length, NUM_CLASSES, config.mixup, config.seed, step);
      const x = tf.tensor4d(xs, [idx.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const y = tf.tensor2d(ys, [idx.length, NUM_CLASSES]);
      let hits: tf.Scalar | undefined;
      const loss = optimizer.minimize(() => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), 'float32')) as tf.Scalar);
        return weightedLoss(y, pred, lossOptions);
      }, true, vars) as tf.Scalar;
      if (config.weightDecay > 0) {
        const keep = 1 - lr * config.weightDecay;
        tf.tidy(() => decayed.forEach((v) => v.assign(tf.mul(v, keep))));
      }
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
      learningRate: learningRateAt(config, step - 1, batchesPerEpoch),
    };
    if (validation && validation.count > 0) {
      const probs = await predictProbabilities(model, validation.pixels);
      logs.valLoss = crossEntropy(probs, validation.labels, NUM_CLASSES);
      const m = computeMetrics(validation.labels, argmaxRows(probs, NUM_CLASSES), EMOTIONS);
      logs.valAccuracy = m.accuracy;
      logs.valMacroF1 = m.macroF1;
      logs.valRecall = EMOTIONS.map((e) => m.perClass[e].recall);
    }
    logs.seconds = (performance.now() - t0) / 1000;
    logs.numTensors = tf.memory().numTensors;
    history.push(logs);
    const improved = logs.valAccuracy !== undefined && logs.valAccuracy > best.accuracy;
    if (improved) best = { epoch: epoch + 1, accuracy: logs.valAccuracy! };
    if (config.keepBest && improved) {
      if (outDir) await saveBestWeights(outDir, model);
      else bestInMemory = replaceBest(bestInMemory, model);
    }
    if (outDir) {
      await saveCheckpoint(outDir, model, optimizer, { epoch: epoch + 1, step, config: { ...config }, history, savedAt: new Date().toISOString(), bestEpoch: best.epoch, bestAccuracy: best.accuracy, data: facts });
      appendFileSync(join(outDir, LOG_FILE), JSON.stringify(logs) + '\n');
    }
    for (const cb of callbacks) await cb.onEpochEnd?.(logs);
    if (config.earlyStopping > 0 && best.epoch > 0 && epoch + 1 - best.epoch >= config.earlyStopping) {
      stoppedEarly = true;
      break;
    }
  }
  if (config.keepBest && best.epoch > 0 && best.epoch !== history.length) {
    if (outDir) loadBestWeights(outDir, model);
    else if (bestInMemory) model.setWeights(bestInMemory);
  }
  tf.dispose(bestInMemory ?? []);
  for (const cb of callbacks) await cb.onTrainEnd?.(history);
  const finished = history.length === config.epochs || stoppedEarly;
  const calibration = finished && config.calibrate && validation && validation.count > 0
    ? calibrationOn(await predictProbabilities(model, validation.pixels), validation.labels, 'validation data of the training run')
    : undefined;
  if (outDir && finished) {
    const last = config.keepBest && best.epoch > 0 ? history[best.epoch - 1] : history[history.length - 1];
    await saveModel(model, outDir, {
      architecture: config.arch,
      description: arch.description,
      labels: [...EMOTIONS],
      preprocessing: DEFAULT_PREPROCESSING,
      training: { ...config, ...options.provenance, ...(options.init ? { init: options.init } : {}), ...(options.teacher ? { teacher: options.teacher, teacherSha256: facts.teacherSha256 } : {}), trainCount: data.count, validationCount: validation?.count ?? 0, engine: tf.getBackend() },
      metrics: {
        train: { loss: last.loss, accuracy: last.accuracy },
        ...(last.valAccuracy !== undefined ? { validation: { loss: last.valLoss, accuracy: last.valAccuracy } } : {}),
        epochs: history.length,
        ...(config.keepBest ? { bestEpoch: best.epoch } : {}),
        trainingSeconds: history.reduce((s, h) => s + h.seconds, 0),
      },
      ...(calibration ? { calibration } : {}),
    });
  }
  optimizer.dispose();
  return { model, history, config };
}

/** Copies the weights of the model saved in `dir` into `model` (same architecture, layer by layer). */
export async function initialiseFrom(dir: string, model: tf.LayersModel, arch: string): Promise<void> {
  const source = await loadModel(dir);
  try {
    if (source.meta.foldedBatchNorm) {
      throw new FerkitError('BAD_ARGUMENT', `${dir} is an exported copy with batch norm folded into its layers; start from the folder \`ferkit train\` wrote (before \`ferkit export\`)`);
    }
    if (source.meta.members) {
      throw new FerkitError('BAD_ARGUMENT', `${dir} is an ensemble; start from one of its member-N folders (as \`ferkit train\` wrote it, not an exported copy)`);
    }
    if (source.meta.architecture !== arch) {
      throw new FerkitError('BAD_ARGUMENT', `${dir} holds a ${source.meta.architecture} model, not ${arch}; pass --arch ${source.meta.architecture} to fine-tune it`);
    }
    const from = source.model.weights;
    const to = model.weights;
    const same = from.length === to.length && to.every((w, i) => w.shape.join('x') === from[i].shape.join('x'));
    if (!same) throw new FerkitError('BAD_MODEL', `${dir}: its weights do not match the ${arch} architecture (${from.length} tensors, expected ${to.length} of the same shapes)`);
    model.setWeights(from.map((w) => w.read()));
  } finally {
    source.model.dispose();
  }
}

const BEST_DIR = 'best';

async function saveBestWeights(outDir: string, model: tf.LayersModel): Promise<void> {
  await replaceFolder(join(outDir, BEST_DIR), (dir) => writeModelWeights(dir, model));
}

function loadBestWeights(outDir: string, model: tf.LayersModel): void {
  const dir = join(outDir, BEST_DIR);
  if (existsSync(join(dir, 'weights.json'))) readModelWeights(dir, model);
}

function replaceBest(previous: tf.Tensor[] | undefined, model: tf.LayersModel): tf.Tensor[] {
  tf.dispose(previous ?? []);
  return model.getWeights().map((w) => w.clone());
}

/**
 * Fits a temperature on held-out probabilities (and, with `classBias`, the
 * per-class offsets that maximise macro-F1 after it) and reports what they
 * changed.
 */
export function calibrationOn(probs: Float32Array, labels: Int32Array, fittedOn: string, options: { classBias?: boolean } = {}): Calibration {
  const k = NUM_CLASSES;
  const temperature = fitTemperature(probs, labels, k);
  let after = applyTemperature(probs, k, temperature);
  let bias: Partial<Calibration> = {};
  if (options.classBias) {
    const classBias = fitClassBias(after, labels, k);
    const macroF1Before = decisionMacroF1(after, labels, k);
    after = applyCalibration(probs, k, { temperature, classBias });
    bias = { classBias, macroF1Before, macroF1After: decisionMacroF1(after, labels, k) };
  }
  return {
    temperature,
    eceBefore: expectedCalibrationError(probs, labels, k),
    eceAfter: expectedCalibrationError(after, labels, k),
    nllBefore: crossEntropy(probs, labels, k),
    nllAfter: crossEntropy(after, labels, k),
    fittedOn,
    samples: labels.length,
    ...bias,
  };
}
