import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapOrdered, serialQueue } from './concurrency.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('mapOrdered: at most `limit` tasks at once, results handed on in input order', async () => {
  let running = 0,
    peak = 0;
  const seen: number[] = [];
  // later items finish first: the order of hand-over must still be the input's
  const results = await mapOrdered(
    [5, 4, 3, 2, 1, 0],
    3,
    async (x) => {
      running++;
      peak = Math.max(peak, running);
      await tick(x * 2);
      running--;
      return x * 10;
    },
    (r, i) => {
      seen.push(i);
      assert.equal(r, [5, 4, 3, 2, 1, 0][i] * 10);
    },
  );
  assert.deepEqual(results, [50, 40, 30, 20, 10, 0]);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.ok(peak <= 3 && peak >= 1, `peak ${peak}`);
  assert.deepEqual(await mapOrdered([], 2, async (x) => x), []);
  await assert.rejects(
    mapOrdered([1], 0, async (x) => x),
    /at least 1/,
  );
  await assert.rejects(
    mapOrdered([1, 2], 2, async (x) => {
      if (x === 2) throw new Error('two');
      return x;
    }),
    /two/,
  );
});

test('serialQueue: one function at a time, in order; a failure rejects only its own call', async () => {
  const run = serialQueue();
  let running = 0,
    peak = 0;
  const order: number[] = [];
  const job = (n: number, fail = false) =>
    run(async () => {
      running++;
      peak = Math.max(peak, running);
      await tick(3 - n);
      order.push(n);
      running--;
      if (fail) throw new Error(`job ${n}`);
      return n;
    });
  const results = await Promise.allSettled([job(0), job(1, true), job(2)]);
  assert.deepEqual(order, [0, 1, 2]);
  assert.equal(peak, 1);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
});
