import type { Metrics } from './metrics.js';
import type { Interval } from './intervals.js';
import type { Calibration } from '../models/io.js';

const f3 = (v: number) => v.toFixed(3);

/** Pads cells into aligned columns. */
export function table(rows: string[][], alignRight = true): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || !alignRight ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

const pct = (v: number) => (v * 100).toFixed(2);
const range = (i: Interval, f: (v: number) => string) => `${f(i[0])}-${f(i[1])}`;

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
    `accuracy  ${pct(m.accuracy)}%${ci ? `  (${level} ${range(ci.accuracy, pct)}%)` : ''}`,
    `macro-F1  ${f3(m.macroF1)}${ci ? `   (${level} ${range(ci.macroF1, f3)})` : ''}`,
  ].join('\n');
  const per = table([
    ['class', 'precision', 'recall', ...(ci ? [`recall ${level}`] : []), 'f1', 'support'],
    ...m.labels.map((l) => {
      const c = m.perClass[l];
      return [l, f3(c.precision), f3(c.recall), ...(ci ? [range(ci.recall[l], f3)] : []), f3(c.f1), String(c.support)];
    }),
  ]);
  const conf = table([
    ['true \\ predicted', ...m.labels],
    ...m.labels.map((l, i) => [l, ...m.confusion[i].map(String)]),
  ]);
  const note = ci
    ? `\n${level}: confidence intervals (Wilson for accuracy and recall; a bootstrap over the images, ${ci.resamples} resamples,\nfor macro-F1), taking these images as a random sample of the faces the figures speak for\n`
    : '';
  return `${head}\n\n${per}\n\nconfusion matrix (rows: true label)\n${conf}\n${note}`;
}

/** One line on a model's calibration: its temperature, class bias (if any) and where they were fitted. */
export function describeCalibration(cal: Calibration | undefined, labels: readonly string[]): string {
  if (!cal) return 'no temperature fitted';
  const bias = cal.classBias ? `, class bias ${labels.map((l, i) => `${l} ${cal.classBias![i] >= 0 ? '+' : ''}${cal.classBias![i].toFixed(2)}`).join(' ')}` : '';
  return `temperature ${cal.temperature.toFixed(3)}${bias} (fitted on ${cal.fittedOn})`;
}
