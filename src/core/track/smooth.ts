/**
 * Exponential smoothing of a probability vector over time, with a half-life
 * in seconds (independent of the frame rate). Pure: returns a new vector.
 */
export function smoothStep(previous: readonly number[] | undefined, current: readonly number[], dtSeconds: number, halfLifeSeconds: number): number[] {
  if (!previous || halfLifeSeconds <= 0) return [...current];
  const keep = Math.pow(0.5, Math.max(0, dtSeconds) / halfLifeSeconds);
  return current.map((p, i) => keep * previous[i] + (1 - keep) * p);
}

/** L1 distance between two distributions (0..2). */
export function l1(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s;
}
