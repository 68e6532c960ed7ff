/**
 * The callbacks ferkit ships: keep the best epoch, stop early, write the
 * training log, calibrate on the validation data. `train()` installs them
 * from its config (keepBest, earlyStopping, calibrate; the log with outDir);
 * a library user may pass them, or their own, in `TrainOptions.callbacks`.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictProbabilities } from '../core/models/predict.js';

import { readModelWeights, replaceFolder, writeModelWeights } from './checkpoint.js';
import type { EpochLogs, TrainCallbacks, TrainContext } from './types.js';
import { calibrationOn } from '../eval/calibration.js';
import { TRAINING_LOG } from '../core/models/metadata.js';

/** Where keepBest keeps the best weights in a run's folder (they survive a resume). */
const BEST_DIR = 'best';

/** The first epoch (1-based) with the highest validation accuracy, and that accuracy; epoch 0 and -1 without validation. */
export function bestEpoch(history: readonly EpochLogs[]): { epoch: number; accuracy: number } {
  let best = { epoch: 0, accuracy: -1 };
  for (const h of history) if (h.valAccuracy !== undefined && h.valAccuracy > best.accuracy) best = { epoch: h.epoch, accuracy: h.valAccuracy };
  return best;
}

/**
 * Keeps the weights of the epoch with the best validation accuracy (in the
 * run's folder, else in memory) and ends the run with them: the model's
 * weights and its saved figures are that epoch's.
 */
export function keepBest(): TrainCallbacks {
  let inMemory: tf.Tensor[] | undefined;
  return {
    async onEpochEnd(logs: EpochLogs, ctx: TrainContext) {
      if (bestEpoch(ctx.history).epoch !== logs.epoch) return;
      if (ctx.outDir) await replaceFolder(join(ctx.outDir, BEST_DIR), (dir) => writeModelWeights(dir, ctx.model));
      else {
        tf.dispose(inMemory ?? []);
        inMemory = ctx.model.getWeights().map((w) => w.clone());
      }
    },
    onTrainEnd(history: EpochLogs[], ctx: TrainContext) {
      const best = bestEpoch(history).epoch;
      if (best > 0 && best !== history.length) {
        const dir = ctx.outDir && join(ctx.outDir, BEST_DIR);
        if (dir) {
          if (existsSync(join(dir, 'weights.json'))) readModelWeights(dir, ctx.model);
        } else if (inMemory) ctx.model.setWeights(inMemory);
      }
      tf.dispose(inMemory ?? []);
      inMemory = undefined;
      ctx.outcome.bestEpoch = best;
    },
  };
}

/** Stops the run when validation accuracy has not improved for `patience` epochs. */
export function earlyStopping(patience: number): TrainCallbacks {
  return {
    onEpochEnd(logs: EpochLogs, ctx: TrainContext) {
      const best = bestEpoch(ctx.history).epoch;
      if (best > 0 && logs.epoch - best >= patience) ctx.stop();
    },
  };
}

/** Writes `train-log.jsonl` in the run's folder: the epochs of a resumed checkpoint first, then a line per epoch. */
export function trainingLog(): TrainCallbacks {
  return {
    onTrainBegin(_info, ctx: TrainContext) {
      if (ctx.outDir) writeFileSync(join(ctx.outDir, TRAINING_LOG), ctx.history.map((h) => JSON.stringify(h) + '\n').join(''));
    },
    onEpochEnd(logs: EpochLogs, ctx: TrainContext) {
      if (ctx.outDir) appendFileSync(join(ctx.outDir, TRAINING_LOG), JSON.stringify(logs) + '\n');
    },
  };
}

/** At the end of a finished run, fits a temperature on the validation data and stores it with the model. */
export function calibrateOnValidation(): TrainCallbacks {
  return {
    async onTrainEnd(_history: EpochLogs[], ctx: TrainContext) {
      const { validation } = ctx;
      if (!ctx.finished || !validation || validation.count === 0) return;
      const probs = await predictProbabilities(ctx.model, validation.pixels);
      ctx.outcome.calibration = calibrationOn(probs, validation.labels, 'validation data of the training run');
    },
  };
}
