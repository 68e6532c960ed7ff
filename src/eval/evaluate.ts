import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { predictProbabilities } from '../models/predict.js';
import { argmaxRows, computeMetrics, type Metrics } from './metrics.js';

/** Runs a model over a dataset and computes every metric `ferkit eval` reports. */
export async function evaluate(model: tf.LayersModel, data: Dataset, labels: readonly string[]): Promise<Metrics & { probabilities: Float32Array }> {
  const probabilities = await predictProbabilities(model, data.pixels);
  const metrics = computeMetrics(data.labels, argmaxRows(probabilities, labels.length), labels);
  return { ...metrics, probabilities };
}
