import type { TrainConfig } from './config.js';

/** Learning rate at a step: constant, or linear warm-up then cosine decay to 0. Pure. */
export function learningRateAt(c: Pick<TrainConfig, 'learningRate' | 'schedule' | 'warmupEpochs' | 'epochs'>, step: number, stepsPerEpoch: number): number {
  if (c.schedule === 'constant') return c.learningRate;
  const warm = c.warmupEpochs * stepsPerEpoch;
  const total = c.epochs * stepsPerEpoch;
  if (step < warm) return (c.learningRate * (step + 1)) / warm;
  const t = (step - warm) / Math.max(1, total - warm);
  return 0.5 * c.learningRate * (1 + Math.cos(Math.PI * Math.min(1, t)));
}
