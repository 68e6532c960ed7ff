/**
 * `ferkit/eval`: how good a model is, told honestly: metrics with their
 * intervals, paired comparisons, calibration, the whole path through the
 * detector, framing, and the printed reports.
 */
export { evaluate } from '../eval/evaluate.js';
export {
  computeMetrics,
  confusionMatrix,
  perClassMetrics,
  macroF1,
  accuracy,
  confidentMistakes,
  type Metrics,
  type ClassMetrics,
  type Mistake,
  type Intervals,
  type Interval,
} from '../eval/metrics.js';
export { compareModels, mcnemarExact, type Comparison, type PairedFigure } from '../eval/compare.js';
export { metricIntervals, wilsonInterval, bootstrapInterval, type IntervalOptions } from '../eval/intervals.js';
export { formatMetrics, formatComparison, predictionsCsv } from '../eval/format.js';
export { intervalText } from '../eval/format.js';
export { fitTemperature, fitClassBias, expectedCalibrationError, calibrationOn } from '../eval/calibration.js';
export { evaluateWithDetection, type DetectEvalResult } from '../eval/detect.js';
export { framedFace, faceFraming, summarizeFraming, fitFraming, type FramedFace, type FaceFraming, type FramingSummary } from '../eval/framing.js';
export { fitEyeFraming, type Spread } from '../eval/framing.js';
export { uncertaintyThreshold, type UncertaintyThreshold } from '../eval/uncertainty.js';
export { table, csvCell } from '../core/results-format.js';
