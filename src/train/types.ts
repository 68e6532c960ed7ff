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

/** Training callbacks (Keras style): progress bars, logs, early stopping hook in here. */
export interface TrainCallbacks {
  onTrainBegin?(info: { epochs: number; startEpoch: number; batchesPerEpoch: number; trainCount: number; valCount: number }): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(epoch: number, logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs): void | Promise<void>;
  onTrainEnd?(history: EpochLogs[]): void | Promise<void>;
}
