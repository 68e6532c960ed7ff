import * as tf from '@tensorflow/tfjs';
import { classCounts } from '../data/dataset.js';
import { classWeights } from './balance.js';
import type { TrainConfig } from './config.js';

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

/** The loss a config asks for, with class weights from the training labels' counts. */
export function lossOptionsFor(config: Pick<TrainConfig, 'classWeighting' | 'focalGamma' | 'labelSmoothing'>, labels: Int32Array): LossOptions {
  return {
    ...(config.classWeighting !== 'none' ? { weights: classWeights(classCounts(labels), config.classWeighting) } : {}),
    ...(config.focalGamma ? { gamma: config.focalGamma } : {}),
    ...(config.labelSmoothing ? { smoothing: config.labelSmoothing } : {}),
  };
}
