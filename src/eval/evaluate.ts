import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { modelProbabilities, type PredictOptions } from '../core/models/predict.js';
import { classifierProbabilities, isClassifier, type Classifier } from '../core/models/classifier.js';
import { type CalibrationParameters } from '../core/models/calibration.js';
import { argmaxRows } from '../core/numeric.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { expectedCalibrationError } from './calibration.js';
import { metricIntervals } from './intervals.js';
import { uncertaintyThreshold, type UncertaintyThreshold } from './uncertainty.js';

/**
 * Runs a model over a dataset and computes every metric `ferkit eval`
 * reports, with their 95% confidence intervals, plus the expected
 * calibration error and the confidence below which its answers are more
 * often wrong than right (`uncertainty`). The model is a TensorFlow.js
model or a classifier on any runtime (`chooseClassifier` in Node). `meta` carries the model's fitted temperature and
 * class bias, if any.
 */
export async function evaluate(
  model: tf.LayersModel | Classifier,
  data: Dataset,
  labels: readonly string[],
  options: PredictOptions & { meta?: { calibration?: CalibrationParameters } } = {},
): Promise<Metrics & { probabilities: Float32Array; ece: number; uncertainty: UncertaintyThreshold }> {
  const probabilities = isClassifier(model)
    ? await classifierProbabilities(model, options.meta ?? {}, data.pixels, options)
    : await modelProbabilities(model, options.meta ?? {}, data.pixels, options);
  const predictions = argmaxRows(probabilities, labels.length);
  const metrics = computeMetrics(data.labels, predictions, labels);
  const k = labels.length;
  const confidence = Float32Array.from(predictions, (p, i) => probabilities[i * k + p]);
  const correct = Array.from(predictions, (p, i) => p === data.labels[i]);
  return {
    ...metrics,
    intervals: metricIntervals(data.labels, predictions, labels),
    probabilities,
    ece: expectedCalibrationError(probabilities, data.labels, k),
    uncertainty: uncertaintyThreshold(confidence, correct),
  };
}
