import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, takeTurns } from './timing.js';

test('takeTurns runs each task n times, each round starting with the next task, and keeps what each call returned', () => {
  const order: string[] = [];
  let k = 0;
  const task = (name: string) => () => {
    order.push(name);
    return k++;
  };
  const out = takeTurns({ a: task('a'), b: task('b'), c: task('c') }, 4);
  assert.deepEqual(order, ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c']);
  assert.deepEqual(out, { a: [0, 5, 7, 9], b: [1, 3, 8, 10], c: [2, 4, 6, 11] });
});

test('median of an odd and an even count, and of none', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
