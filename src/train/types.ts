import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import type { Calibration } from '../core/models/metadata.js';
import type { TrainConfig } from './config.js';

/** One epoch's figures, as written to the training log (one JSON line each). */
export interface EpochLogs {
  /** 1-based epoch number. */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Macro-F1 on the validation data. */
  valMacroF1?: number;
  /** Recall of each class on the validation data, in label order (0 for a class it lacks). */
  valRecall?: number[];
  /** Wall time of the epoch (training and validation). */
  seconds: number;
  /** Training images per second (training steps only). */
  imagesPerSecond: number;
  /** Live tensors after the epoch; flat across epochs when nothing leaks. */
  numTensors: number;
  learningRate: number;
}

export interface BatchLogs {
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

/** What a run records besides the loop's own figures; callbacks fill it in, and the saved model stores it. */
export interface RunOutcome {
  /** The epoch (1-based) whose weights the model ends with and whose figures describe it; default the last. */
  bestEpoch?: number;
  /** A calibration fitted after training, stored with the model. */
  calibration?: Calibration;
}

/** What callbacks see of a run, and what they may change: the model's weights, the outcome, whether to go on. */
export interface TrainContext {
  readonly model: tf.LayersModel;
  readonly config: Readonly<TrainConfig>;
  readonly train: Dataset;
  /** Validation images, when the run has any. */
  readonly validation?: Dataset;
  /** The run's folder, when it writes one. */
  readonly outDir?: string;
  /** Epochs completed so far (those of a resumed checkpoint too). */
  readonly history: readonly EpochLogs[];
  /** True at the end of a run that completed (all epochs, or stopped by a callback): its model is saved. */
  readonly finished: boolean;
  /** Set by callbacks (keep-best, calibration); stored with the saved model. */
  readonly outcome: RunOutcome;
  /** Asks the loop to end the run after this epoch (checkpointed, and the model saved as finished). */
  stop(): void;
}

/**
 * Training callbacks (Keras style): progress bars, logs, keep-best, early
 * stopping and calibration hook in here. Each hook also gets the run's context.
 */
export interface TrainCallbacks {
  onTrainBegin?(
    info: { epochs: number; startEpoch: number; batchesPerEpoch: number; trainCount: number; valCount: number },
    context: TrainContext,
  ): void | Promise<void>;
  onEpochBegin?(epoch: number, context: TrainContext): void | Promise<void>;
  onBatchEnd?(epoch: number, logs: BatchLogs, context: TrainContext): void | Promise<void>;
  /** After validation; the run's checkpoint is written once every callback has returned. */
  onEpochEnd?(logs: EpochLogs, context: TrainContext): void | Promise<void>;
  /** After the last epoch, in order: keep-best restores its weights here, calibration then fits on them. */
  onTrainEnd?(history: EpochLogs[], context: TrainContext): void | Promise<void>;
}
