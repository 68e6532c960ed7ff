/**
 * `ferkit/train`: training emotion models in Node on TensorFlow.js:
 * recipes, losses, schedules, callbacks, augmentation, class balance and
 * distillation from a teacher (Node's platform starts the teacher).
 */
import type { Dataset } from '../data/dataset.js';
import { teacherTargets as teacherTargetsWith, type TeacherOptions as TeacherOptionsWith } from '../train/distill.js';
import { train as trainWith, type TrainOptions, type TrainResult } from '../train/train.js';
import { nodePlatform } from '../node/platform.js';

export type { TrainOptions, TrainResult } from '../train/train.js';
export { PAPER_RECIPE, RECOMMENDED_RECIPE, DISTILL_DEFAULTS, resolveConfig, type TrainConfig } from '../train/config.js';
export { weightedLoss, type LossOptions } from '../train/loss.js';
export { learningRateAt, plateauScale } from '../train/schedule.js';
export { keepBest, earlyStopping, trainingLog, calibrateOnValidation, bestEpoch } from '../train/callbacks.js';
export { augmentImage, parseAugment, NO_AUGMENTATION, STANDARD_AUGMENTATION, type AugmentConfig } from '../train/augment.js';
export { classWeights, epochOrder, type ClassWeighting } from '../train/balance.js';
export type { EpochLogs, BatchLogs, TrainCallbacks, TrainContext, RunOutcome } from '../train/types.js';
export { mixTargets } from '../train/distill.js';
export { initEngine } from '../node/engine.js';
export { initTrainingEngine, type TrainingEngineOptions } from '../node/train-engine.js';
export type { EngineChoice, EngineInfo } from '../core/engine.js';

/**
 * Trains a model (see TrainOptions); with `teacher`, distils it, the
 * teacher started by Node's platform unless `startClassifier` says otherwise.
 */
export function train(options: TrainOptions): Promise<TrainResult> {
  return trainWith(options.teacher ? { startClassifier: nodePlatform().startClassifier, ...options } : options);
}

/** The teacher's options; `startClassifier` defaults to Node's. */
export type TeacherOptions = Omit<TeacherOptionsWith, 'startClassifier'> & Partial<Pick<TeacherOptionsWith, 'startClassifier'>>;

/** The teacher's softened probabilities for every image of a dataset (count * 7 floats). */
export function teacherTargets(teacher: string, ds: Dataset, options: TeacherOptions): Promise<Float32Array> {
  return teacherTargetsWith(teacher, ds, { startClassifier: nodePlatform().startClassifier, ...options });
}
