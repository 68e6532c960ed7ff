import type { TrainConfig } from './config.js';

/**
 * Learning rate at a step: constant; linear warm-up then cosine decay to 0;
 * or linear warm-up then the peak times `plateau`, the reduce-on-plateau
 * multiplier (see `plateauScale`). Pure.
 */
export function learningRateAt(
  c: Pick<TrainConfig, 'learningRate' | 'schedule' | 'warmupEpochs' | 'epochs'>,
  step: number,
  stepsPerEpoch: number,
  plateau = 1,
): number {
  if (c.schedule === 'constant') return c.learningRate;
  const warm = c.warmupEpochs * stepsPerEpoch;
  if (step < warm) return (c.learningRate * (step + 1)) / warm;
  if (c.schedule === 'plateau') return c.learningRate * plateau;
  const total = c.epochs * stepsPerEpoch;
  const t = (step - warm) / Math.max(1, total - warm);
  return 0.5 * c.learningRate * (1 + Math.cos(Math.PI * Math.min(1, t)));
}

/**
 * Reduce-on-plateau: the learning-rate multiplier after the epochs so far,
 * given each one's validation accuracy. Each time `patience` epochs pass
 * without a better accuracy than the best so far, the multiplier is
 * multiplied by `factor` and the count starts again. Computed from the
 * history alone, so a resumed run gets the same rates. Pure.
 */
export function plateauScale(valAccuracies: readonly (number | undefined)[], patience: number, factor: number): number {
  let best = -Infinity;
  let since = 0;
  let scale = 1;
  for (const a of valAccuracies) {
    if (a !== undefined && a > best) {
      best = a;
      since = 0;
    } else if (++since >= patience) {
      scale *= factor;
      since = 0;
    }
  }
  return scale;
}
