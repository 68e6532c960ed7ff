import { argmaxAt } from '../core/numeric.js';
import { csvCell, table } from '../core/results-format.js';
import { type Metrics } from './metrics.js';
import type { Dataset } from '../data/dataset.js';
import type { Interval } from './metrics.js';
import type { Comparison } from './compare.js';
import type { Calibration } from '../core/models/metadata.js';
import type { TestTimeAugmentation } from '../core/models/tta.js';
import type { DetectEvalResult } from './detect.js';
import type { UncertaintyThreshold } from './uncertainty.js';

const f3 = (v: number) => v.toFixed(3);

/**
 * One CSV row per image — its id, source row, true label, predicted label,
 * the predicted label's probability, whether it is right, then every class's
 * probability — for error analysis outside ferkit. Pure.
 */
export function predictionsCsv(data: Pick<Dataset, 'ids' | 'rows' | 'labels' | 'count'>, probabilities: ArrayLike<number>, labels: readonly string[]): string {
  const k = labels.length;
  if (probabilities.length !== data.count * k) throw new RangeError(`${data.count} images but ${probabilities.length / k} rows of probabilities`);
  const lines = [['id', 'row', 'label', 'predicted', 'confidence', 'correct', ...labels].map(csvCell).join(',')];
  for (let i = 0; i < data.count; i++) {
    const p = argmaxAt(probabilities, i * k, k);
    const probs = Array.from({ length: k }, (_, j) => +probabilities[i * k + j].toFixed(6));
    lines.push([csvCell(data.ids[i]), data.rows[i], labels[data.labels[i]], labels[p], probs[p], p === data.labels[i], ...probs].join(','));
  }
  return lines.join('\n') + '\n';
}

const pct = (v: number) => (v * 100).toFixed(2);

/** An interval as text: `67.85-70.87%` for a percentage, `0.598-0.685` for a fraction. */
export function intervalText(i: Interval, percent = false): string {
  return percent ? `${pct(i[0])}-${pct(i[1])}%` : `${f3(i[0])}-${f3(i[1])}`;
}

/**
 * The human-readable evaluation report: headline figures (with their
 * confidence intervals when the metrics carry them), per-class table,
 * confusion matrix.
 */
export function formatMetrics(m: Metrics): string {
  const ci = m.intervals;
  const level = ci ? `${Math.round(ci.level * 100)}% CI` : '';
  const head = [
    `samples   ${m.samples}`,
    `accuracy  ${pct(m.accuracy)}%${ci ? `  (${level} ${intervalText(ci.accuracy, true)})` : ''}`,
    `macro-F1  ${f3(m.macroF1)}${ci ? `   (${level} ${intervalText(ci.macroF1)})` : ''}`,
  ].join('\n');
  const per = table([
    ['class', 'precision', 'recall', ...(ci ? [`recall ${level}`] : []), 'f1', 'support'],
    ...m.labels.map((l) => {
      const c = m.perClass[l];
      return [l, f3(c.precision), f3(c.recall), ...(ci ? [intervalText(ci.recall[l])] : []), f3(c.f1), String(c.support)];
    }),
  ]);
  const conf = table([['true \\ predicted', ...m.labels], ...m.labels.map((l, i) => [l, ...m.confusion[i].map(String)])]);
  const note = ci
    ? `\n${level}: confidence intervals (Wilson for accuracy and recall; a bootstrap over the images, ${ci.resamples} resamples,\nfor macro-F1), taking these images as a random sample of the faces the figures speak for\n`
    : '';
  return `${head}\n\n${per}\n\nconfusion matrix (rows: true label)\n${conf}\n${note}`;
}

/** What the uncertainty threshold means, in a sentence. */
export function describeUncertainty(u: UncertaintyThreshold): string {
  return u.flagged
    ? `answers below confidence ${u.threshold.toFixed(2)} are more often wrong than right: ${(u.flagged * 100).toFixed(1)}% of the faces, ${(u.flaggedAccuracy * 100).toFixed(1)}% right; the others ${(u.keptAccuracy * 100).toFixed(1)}% right`
    : 'answers are at least as often right as wrong at every confidence';
}

/** `ferkit eval`'s report on cropped faces: the metrics, calibration (`calibration`, as describeCalibration says it), test-time augmentation and uncertainty. */
export function formatEvaluation(m: Metrics, ece: number, u: UncertaintyThreshold, calibration: string, tta: TestTimeAugmentation): string {
  const augmentation = tta === 'ten-crop' ? '; with ten-crop test-time augmentation' : tta ? '; with flip test-time augmentation' : '';
  return `${formatMetrics(m)}\nexpected calibration error ${ece.toFixed(4)}; ${calibration}${augmentation}\nuncertain: ${describeUncertainty(u)}\n`;
}

/** `ferkit eval --detect`'s report: how often a face was found, the metrics on those found, and (with crops) the crops' own accuracy. */
export function formatDetectionEvaluation(r: DetectEvalResult): string {
  const { images, noFace, noFaceExamples, failed, foundRate, cropped, ...metrics } = r;
  const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `images    ${images}; a face found in ${percent(foundRate)}, none in ${noFace}${failed ? `; ${failed} unreadable` : ''} (left out of the figures below)\n` +
    (noFaceExamples.length ? `no face: ${noFaceExamples.slice(0, 5).join(', ')}${noFace > 5 ? ', ...' : ''}\n` : '') +
    '\n' +
    formatMetrics(metrics) +
    (cropped
      ? `\nthe same ${metrics.samples} images' own crops, classified as they are: accuracy ${percent(cropped.accuracy)} (95% CI ${percent(cropped.interval[0])}-${percent(cropped.interval[1])}); on all ${cropped.samplesAll} decoded images ${percent(cropped.accuracyAll)}\n`
      : '')
  );
}

/** One line on a model's calibration: its temperature, class bias (if any) and where they were fitted. */
export function describeCalibration(cal: Calibration | undefined, labels: readonly string[]): string {
  if (!cal) return 'no temperature fitted';
  const bias = cal.classBias
    ? `, class bias ${labels.map((l, i) => `${l} ${cal.classBias![i] >= 0 ? '+' : ''}${cal.classBias![i].toFixed(2)}`).join(' ')}`
    : '';
  return `temperature ${cal.temperature.toFixed(3)}${bias} (fitted on ${cal.fittedOn})`;
}

const points = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`;
const signed3 = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;

/** The human-readable comparison: both models' figures, the differences with intervals, the test and what it means. */
export function formatComparison(a: string, b: string, c: Comparison): string {
  const ci = `${Math.round(c.level * 100)}% CI`;
  const alpha = 1 - c.level;
  const p = c.pValue < 1e-4 ? c.pValue.toExponential(1) : c.pValue.toFixed(4);
  const verdict =
    c.pValue < alpha
      ? `${c.accuracy.difference > 0 ? 'A' : 'B'} is more accurate on faces like these (p < ${+alpha.toFixed(4)})`
      : `no significant difference in accuracy at this level (p >= ${+alpha.toFixed(4)}): the gap could be chance`;
  return (
    [
      `images  ${c.samples}`,
      `A  ${a}: accuracy ${pct(c.accuracy.a)}%, macro-F1 ${c.macroF1.a.toFixed(3)}`,
      `B  ${b}: accuracy ${pct(c.accuracy.b)}%, macro-F1 ${c.macroF1.b.toFixed(3)}`,
      `A - B   accuracy ${points(c.accuracy.difference)} points (${ci} ${points(c.accuracy.interval[0])} to ${points(c.accuracy.interval[1])})`,
      `        macro-F1 ${signed3(c.macroF1.difference)} (${ci} ${signed3(c.macroF1.interval[0])} to ${signed3(c.macroF1.interval[1])})`,
      `right by A only: ${c.onlyA} images; by B only: ${c.onlyB}; exact McNemar test p = ${p}`,
      verdict,
      `(intervals: paired bootstrap over the images, ${c.resamples} resamples)`,
    ].join('\n') + '\n'
  );
}
