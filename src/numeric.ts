/** Small pure helpers on flat arrays of per-class scores (n rows of k). */

/** Index of the largest of `k` values starting at `offset`. */
export function argmaxAt(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[offset + j] > values[offset + best]) best = j;
  return best;
}

/** Predicted class of each row of an n*k probability array. */
export function argmaxRows(probs: ArrayLike<number>, k: number): Int32Array {
  const n = probs.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmaxAt(probs, i * k, k);
  return out;
}
