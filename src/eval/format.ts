import type { Metrics } from './metrics.js';
import type { Calibration } from '../models/io.js';

const f3 = (v: number) => v.toFixed(3);

/** Pads cells into aligned columns. */
export function table(rows: string[][], alignRight = true): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || !alignRight ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** The human-readable evaluation report: headline figures, per-class table, confusion matrix. */
export function formatMetrics(m: Metrics): string {
  const head = `samples   ${m.samples}\naccuracy  ${(m.accuracy * 100).toFixed(2)}%\nmacro-F1  ${f3(m.macroF1)}`;
  const per = table([
    ['class', 'precision', 'recall', 'f1', 'support'],
    ...m.labels.map((l) => {
      const c = m.perClass[l];
      return [l, f3(c.precision), f3(c.recall), f3(c.f1), String(c.support)];
    }),
  ]);
  const conf = table([
    ['true \\ predicted', ...m.labels],
    ...m.labels.map((l, i) => [l, ...m.confusion[i].map(String)]),
  ]);
  return `${head}\n\n${per}\n\nconfusion matrix (rows: true label)\n${conf}\n`;
}

/** One line on a model's calibration: its temperature, class bias (if any) and where they were fitted. */
export function describeCalibration(cal: Calibration | undefined, labels: readonly string[]): string {
  if (!cal) return 'no temperature fitted';
  const bias = cal.classBias ? `, class bias ${labels.map((l, i) => `${l} ${cal.classBias![i] >= 0 ? '+' : ''}${cal.classBias![i].toFixed(2)}`).join(' ')}` : '';
  return `temperature ${cal.temperature.toFixed(3)}${bias} (fitted on ${cal.fittedOn})`;
}
