import { FerkitError } from '../core/errors.js';
import { createRng, shuffleInPlace } from '../core/random.js';

export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Stratified, seeded split of sample indices: each class is shuffled with the
 * seed and `testFraction` of it (rounded) goes to the test part, so both parts
 * keep the class proportions. The paper's 4:1 split is `testFraction = 0.2`.
 * Both parts come back in ascending index order. Pure.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction = 0.2, seed = 42): SplitIndices {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new FerkitError('BAD_ARGUMENT', `split fraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const rng = createRng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffleInPlace(byClass.get(c)!, rng);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), test: Int32Array.from(test.sort((a, b) => a - b)) };
}
