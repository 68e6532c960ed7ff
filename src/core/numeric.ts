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

/** Byte arrays joined in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
