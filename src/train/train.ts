import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { FerkitError } from '../core/errors.js';
import { EMOTIONS, NUM_CLASSES } from '../core/labels.js';
import { IMAGE_SIZE } from '../core/image/preprocess.js';
import { makeDataset, type Dataset } from '../data/dataset.js';
import { equalized } from '../core/image/equalize.js';
import { getArchitecture } from '../core/models/architectures.js';
import { canTrain } from '../core/engine.js';
import { SeededDropout } from '../core/models/dropout.js';
import { normalisedImages, predictProbabilities } from '../core/models/predict.js';
import { DEFAULT_PREPROCESSING } from '../core/models/metadata.js';
import { saveModel } from '../store/folder.js';
import { argmaxRows } from '../core/numeric.js';
import { computeMetrics, crossEntropy } from '../eval/metrics.js';
import { checkFreshStart, dataFacts, hasCheckpoint, resumeCheckpoint, saveCheckpoint } from './checkpoint.js';
import { resolveConfig, type TrainConfig } from './config.js';
import { bestEpoch, calibrateOnValidation, earlyStopping, keepBest, trainingLog } from './callbacks.js';
import type { EpochLogs, RunOutcome, TrainCallbacks, TrainContext } from './types.js';
import { augmentBatch, isAugmenting, type AugmentConfig } from './augment.js';
import { mixupBatch } from './mixup.js';
import { epochOrder } from './balance.js';
import { mixTargets, teacherTargets } from './distill.js';
import type { StartClassifier } from '../core/platform.js';
import { lossOptionsFor, weightedLoss, type LossOptions } from './loss.js';
import { learningRateAt, plateauScale } from './schedule.js';
import { initialiseFrom } from './init.js';

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
   * Start from the weights of a saved model of the same architecture (a
   * folder written by `train`, or an exported copy whose batch norms are
   * folded, unfolded on the training faces) instead of a fresh
   * initialisation: fine-tuning. Ignored on resume (the checkpoint holds the weights).
   */
  init?: string;
  /**
   * A trained model (folder or bundled name, an ensemble too) whose
   * probabilities on the training images, averaged with the mirror image and
   * softened by `distillTemperature`, are mixed into the targets with
   * `distillWeight` (defaults with a teacher: DISTILL_DEFAULTS, 0.5 and 2):
   * knowledge distillation. The model records the teacher's path and the
   * SHA-256 of its weights; `resume` refuses another. Training accuracy then
   * counts agreement with the mixed targets' top class.
   */
  teacher?: string;
  /** Starts the teacher: the platform's `startClassifier`; needed with `teacher` (`ferkit/train` gives Node's). */
  startClassifier?: StartClassifier;
  /**
   * Callbacks run after those the config installs (`keepBest`, then the
   * training log with `outDir`) and before `calibrate` and `earlyStopping`.
   */
  callbacks?: TrainCallbacks[];
  /** Extra facts stored in the saved model's training config (data paths, split). */
  provenance?: Record<string, unknown>;
  /** Stop after this epoch even if `epochs` is larger (for tests of resume). */
  stopAfterEpoch?: number;
  /**
   * Told what the run does that the caller may not expect: with `resume`
   * on a folder that holds no checkpoint yet (the run stopped before its
   * first epoch ended), the run starts from the beginning, and says so here.
   */
  onNotice?: (message: string) => void;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochLogs[];
  config: TrainConfig;
}

/** What callbacks see of a run (TrainContext), with the loop's own switches. */
class RunContext implements TrainContext {
  finished = false;
  stopped = false;
  readonly outcome: RunOutcome = {};
  readonly history: EpochLogs[] = [];
  readonly validation?: Dataset;
  readonly outDir?: string;

  constructor(
    readonly model: tf.LayersModel,
    readonly config: TrainConfig,
    readonly train: Dataset,
    options: TrainOptions,
  ) {
    if (options.validation) this.validation = options.validation;
    if (options.outDir) this.outDir = options.outDir;
  }

  stop(): void {
    this.stopped = true;
  }
}

/** A run in progress: the model being trained, its optimizer and what each step needs. */
interface Run {
  config: TrainConfig;
  data: Dataset;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Trainable variables, and the kernels among them that weight decay shrinks. */
  vars: tf.Variable[];
  decayed: tf.Variable[];
  dropouts: SeededDropout[];
  loss: LossOptions;
  teacher?: { targets: Float32Array; weight: number };
  batchesPerEpoch: number;
  /** Optimizer steps taken. */
  step: number;
  startEpoch: number;
  /** What the checkpoint records of the data (compared on resume). */
  facts: Record<string, unknown>;
  context: RunContext;
  callbacks: TrainCallbacks[];
}

/**
 * Trains a model from the registry on a dataset: seeded shuffling, weight
 * initialisation and dropout; Adam or SGD with Nesterov momentum;
 * categorical cross-entropy; validation after each epoch; a checkpoint each
 * epoch when `outDir` is given, and the final model saved there. With `resume`, continues from the checkpoint to
 * the same weights an uninterrupted run reaches. Keep-best, early stopping,
 * the training log and calibration are callbacks the config installs.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = resolveConfig(options.config, options.teacher);
  checkTrainable(options.train);
  if (config.schedule === 'plateau' && !options.validation?.count)
    throw new FerkitError('BAD_ARGUMENT', 'the plateau schedule needs validation images: it lowers the rate when their accuracy stops improving', {
      options: ['validation', 'config.schedule'],
    });
  const run = await startRun(equalizedFaces(options, config), config, options.train);
  try {
    return await runEpochs(run, options, config);
  } catch (err) {
    // a failed run leaves nothing behind: its model goes with it
    run.model.dispose();
    throw err;
  } finally {
    run.optimizer.dispose();
  }
}

/** The epochs of a started run, its callbacks around them, and the final save. */
async function runEpochs(run: Run, options: TrainOptions, config: TrainConfig): Promise<TrainResult> {
  const { context: ctx, callbacks } = run;
  const info = {
    epochs: config.epochs,
    startEpoch: run.startEpoch,
    batchesPerEpoch: run.batchesPerEpoch,
    trainCount: run.data.count,
    valCount: ctx.validation?.count ?? 0,
  };
  for (const cb of callbacks) await cb.onTrainBegin?.(info, ctx);
  const lastEpoch = Math.min(config.epochs, options.stopAfterEpoch ?? Infinity);
  for (let epoch = run.startEpoch; epoch < lastEpoch && !ctx.stopped; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch + 1, ctx);
    const logs = await trainEpoch(run, epoch);
    ctx.history.push(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
    if (options.outDir) await checkpoint(run, options.outDir, epoch);
  }
  ctx.finished = ctx.history.length === config.epochs || ctx.stopped;
  for (const cb of callbacks) await cb.onTrainEnd?.(ctx.history, ctx);
  if (options.outDir && ctx.finished) await saveFinalModel(run, options, options.outDir);
  return { model: run.model, history: ctx.history, config };
}

function checkTrainable(data: Dataset): void {
  if (data.count === 0) throw new FerkitError('BAD_DATA', 'no training images; check the data and its usage filter', { options: ['train'] });
  if (!canTrain(tf.getBackend())) {
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `the ${tf.getBackend()} backend cannot train (no convolution gradient kernels); initialise the engine with initEngine(choice, { training: true })`,
    );
  }
}

/** The callbacks a config asks for around the caller's: keep-best and the log first, calibration and early stopping last. */
function installedCallbacks(config: TrainConfig, options: TrainOptions): TrainCallbacks[] {
  return [
    ...(config.keepBest ? [keepBest()] : []),
    ...(options.outDir ? [trainingLog()] : []),
    ...(options.callbacks ?? []),
    ...(config.calibrate ? [calibrateOnValidation()] : []),
    ...(config.earlyStopping > 0 ? [earlyStopping(config.earlyStopping)] : []),
  ];
}

/** The run's training and validation faces equalised as the config says (the options themselves without equalisation). */
function equalizedFaces(options: TrainOptions, config: TrainConfig): TrainOptions {
  if (config.equalize === 'none') return options;
  const method = config.equalize;
  const eq = (ds: Dataset) =>
    makeDataset({ pixels: equalized(ds.pixels, method), labels: ds.labels, ids: ds.ids, rows: ds.rows, ...(ds.soft ? { soft: ds.soft } : {}) });
  return { ...options, train: eq(options.train), ...(options.validation ? { validation: eq(options.validation) } : {}) };
}

/**
 * Builds the model and optimizer; restores the checkpoint (resume) or the
 * initial weights (init); computes the teacher's targets on `raw`, the
 * training faces before equalisation (the teacher applies its own).
 */
async function startRun(options: TrainOptions, config: TrainConfig, raw: Dataset): Promise<Run> {
  const { train: data, outDir } = options;
  const model = getArchitecture(config.arch).build({ seed: config.seed, numClasses: NUM_CLASSES, inputSize: IMAGE_SIZE });
  const optimizer = config.optimizer === 'sgd' ? tf.train.momentum(config.learningRate, config.momentum, true) : tf.train.adam(config.learningRate);
  const context = new RunContext(model, config, data, options);
  const run: Run = {
    config,
    data,
    model,
    optimizer,
    context,
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    decayed: model.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read() as tf.Variable),
    dropouts: model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout),
    loss: lossOptionsFor(config, data.labels),
    batchesPerEpoch: Math.ceil(data.count / config.batchSize),
    step: 0,
    startEpoch: 0,
    facts: dataFacts(options),
    callbacks: installedCallbacks(config, options),
  };
  try {
    if (outDir) mkdirSync(outDir, { recursive: true });
    // a run stopped before its first checkpoint left nothing to continue: it is done from the start, as asked again
    const resume = options.resume && !(outDir && !hasCheckpoint(outDir));
    if (options.resume && !resume)
      options.onNotice?.(`${outDir} holds no checkpoint yet (the run stopped before its first epoch ended): starting the run from the beginning`);
    if (resume) {
      const state = await resumeCheckpoint(outDir, model, optimizer, config, run.facts);
      run.startEpoch = state.epoch;
      run.step = state.step;
      context.history.push(...state.history);
    } else {
      checkFreshStart(outDir);
      if (options.init) await initialiseFrom(options.init, model, config.arch, data);
    }
    if (options.teacher) {
      if (!options.startClassifier)
        throw new FerkitError('BAD_ARGUMENT', "a teacher needs startClassifier, the platform's (train from 'ferkit/train' gives Node's)", {
          options: ['startClassifier'],
        });
      const targets = await teacherTargets(options.teacher, raw, { temperature: config.distillTemperature, startClassifier: options.startClassifier });
      run.teacher = { targets, weight: config.distillWeight };
    }
    return run;
  } catch (err) {
    model.dispose();
    optimizer.dispose();
    throw err;
  }
}

/** One epoch: every batch, then validation; its figures. */
async function trainEpoch(run: Run, epoch: number): Promise<EpochLogs> {
  const { config, data } = run;
  const t0 = performance.now();
  const order = epochOrder(data.labels, epoch, config.seed, config.balancedSampling);
  let lossSum = 0,
    correct = 0,
    seen = 0;
  for (let b = 0; b < run.batchesPerEpoch; b++) {
    const idx = order.subarray(b * config.batchSize, Math.min(data.count, (b + 1) * config.batchSize));
    const { loss, hits } = await trainBatch(run, idx);
    if (!Number.isFinite(loss))
      throw new FerkitError('BAD_DATA', `training diverged at epoch ${epoch + 1}, batch ${b + 1} (loss ${loss}); lower the learning rate`, {
        options: ['config.learningRate'],
      });
    lossSum += loss * idx.length;
    correct += hits;
    seen += idx.length;
    const logs = { batch: b + 1, batches: run.batchesPerEpoch, loss: lossSum / seen, accuracy: correct / seen };
    for (const cb of run.callbacks) await cb.onBatchEnd?.(epoch + 1, logs, run.context);
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const logs: EpochLogs = {
    epoch: epoch + 1,
    loss: lossSum / seen,
    accuracy: correct / seen,
    seconds: 0,
    imagesPerSecond: seen / trainSeconds,
    numTensors: 0,
    learningRate: rateAt(run, run.step - 1),
  };
  await validate(run.model, run.context.validation, logs);
  logs.seconds = (performance.now() - t0) / 1000;
  logs.numTensors = tf.memory().numTensors;
  return logs;
}

/** The learning rate of a step of the run: its schedule, and with `plateau` the reductions its validation history has earned. */
function rateAt(run: Run, step: number): number {
  const { config } = run;
  const plateau =
    config.schedule === 'plateau'
      ? plateauScale(
          run.context.history.map((h) => h.valAccuracy),
          config.plateauPatience,
          config.plateauFactor,
        )
      : 1;
  return learningRateAt(config, step, run.batchesPerEpoch, plateau);
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  // SGD and momentum keep -lr as a tensor, which setLearningRate replaces: only when the rate changes.
  // (`instanceof tf.SGDOptimizer` cannot tell: TensorFlow.js's optimizers answer it by duck typing.)
  if (o.setLearningRate) {
    if (o.learningRate !== lr) o.setLearningRate(lr);
  } else o.learningRate = lr;
}

/** One optimizer step on the images `idx`: their mean loss and how many the model got right. */
async function trainBatch(run: Run, idx: Int32Array): Promise<{ loss: number; hits: number }> {
  const { config, data, optimizer } = run;
  const lr = rateAt(run, run.step);
  setLearningRate(optimizer, lr);
  run.step++;
  for (const d of run.dropouts) d.step = run.step;
  const xs = inputBatch(data, idx, config.augment, config.seed, run.step);
  const ys = targetBatch(data, idx, run.teacher);
  if (config.mixup > 0) mixupBatch(xs, ys, idx.length, NUM_CLASSES, config.mixup, config.seed, run.step);
  const x = tf.tensor4d(xs, [idx.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
  const y = tf.tensor2d(ys, [idx.length, NUM_CLASSES]);
  let hits: tf.Scalar | undefined;
  const loss = optimizer.minimize(
    () => {
      const pred = run.model.apply(x, { training: true }) as tf.Tensor;
      hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), 'float32')) as tf.Scalar);
      return weightedLoss(y, pred, run.loss);
    },
    true,
    run.vars,
  ) as tf.Scalar;
  if (config.weightDecay > 0) {
    const keep = 1 - lr * config.weightDecay;
    tf.tidy(() => run.decayed.forEach((v) => v.assign(tf.mul(v, keep))));
  }
  const [l, h] = await Promise.all([loss.data(), hits!.data()]);
  tf.dispose([x, y, loss, hits!]);
  return { loss: l[0], hits: h[0] };
}

/** Adds the validation figures to an epoch's logs (nothing without validation images). */
async function validate(model: tf.LayersModel, validation: Dataset | undefined, logs: EpochLogs): Promise<void> {
  if (!validation || validation.count === 0) return;
  const probs = await predictProbabilities(model, validation.pixels);
  logs.valLoss = crossEntropy(probs, validation.labels, NUM_CLASSES);
  const m = computeMetrics(validation.labels, argmaxRows(probs, NUM_CLASSES), EMOTIONS);
  logs.valAccuracy = m.accuracy;
  logs.valMacroF1 = m.macroF1;
  logs.valRecall = EMOTIONS.map((e) => m.perClass[e].recall);
}

/** Saves the run's state after `epoch` (0-based) into `outDir`/checkpoint. */
async function checkpoint(run: Run, outDir: string, epoch: number): Promise<void> {
  const { history } = run.context;
  const best = bestEpoch(history);
  await saveCheckpoint(outDir, run.model, run.optimizer, {
    epoch: epoch + 1,
    step: run.step,
    config: { ...run.config },
    history,
    savedAt: new Date().toISOString(),
    bestEpoch: best.epoch,
    bestAccuracy: best.accuracy,
    data: run.facts,
  });
}

/** Saves the trained model with its metadata: config, provenance, figures (of the best epoch with keep-best), calibration. */
async function saveFinalModel(run: Run, options: TrainOptions, outDir: string): Promise<void> {
  const {
    config,
    context: { history, outcome },
  } = run;
  const last = outcome.bestEpoch ? history[outcome.bestEpoch - 1] : history[history.length - 1];
  const teacher = options.teacher ? { teacher: options.teacher, teacherSha256: run.facts.teacherSha256 } : {};
  await saveModel(run.model, outDir, {
    architecture: config.arch,
    description: getArchitecture(config.arch).description,
    labels: [...EMOTIONS],
    preprocessing: { ...DEFAULT_PREPROCESSING, ...(config.equalize !== 'none' ? { equalize: config.equalize } : {}) },
    training: {
      ...config,
      ...options.provenance,
      ...(options.init ? { init: options.init } : {}),
      ...teacher,
      trainCount: run.data.count,
      validationCount: options.validation?.count ?? 0,
      engine: tf.getBackend(),
    },
    metrics: {
      train: { loss: last.loss, accuracy: last.accuracy },
      ...(last.valAccuracy !== undefined ? { validation: { loss: last.valLoss, accuracy: last.valAccuracy } } : {}),
      epochs: history.length,
      ...(outcome.bestEpoch !== undefined ? { bestEpoch: outcome.bestEpoch } : {}),
      trainingSeconds: history.reduce((s, h) => s + h.seconds, 0),
    },
    ...(outcome.calibration ? { calibration: outcome.calibration } : {}),
  });
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
