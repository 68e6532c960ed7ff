/** Running async work a few at a time, in order. Platform-neutral; no state outside the calls. */

/**
 * Runs `task` on every item, at most `limit` at once, and hands each result
 * to `onResult` in input order as soon as it and every earlier one are done.
 * Resolves with all results in input order; rejects with the first error a
 * task or `onResult` throws (tasks that should not stop the others catch
 * their own errors).
 */
export async function mapOrdered<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  onResult?: (result: R, index: number) => void | Promise<void>,
): Promise<R[]> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`concurrency must be a whole number of at least 1, got ${limit}`);
  const results: R[] = new Array(items.length);
  const done = new Array<boolean>(items.length).fill(false);
  let next = 0;
  let emitted = 0;
  let emitting: Promise<void> = Promise.resolve();
  const emit = async () => {
    while (emitted < items.length && done[emitted]) {
      const i = emitted++;
      await onResult?.(results[i], i);
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
      done[i] = true;
      emitting = emitting.then(emit);
      await emitting;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  await emitting;
  return results;
}

/**
 * A queue that runs the functions given to it one at a time, in the order
 * given: for a model that should see one batch at a time while pictures are
 * decoded around it. A failure rejects that call only.
 */
export function serialQueue(): <R>(fn: () => Promise<R>) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return <R>(fn: () => Promise<R>) => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
