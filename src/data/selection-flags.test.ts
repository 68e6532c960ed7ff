import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerkitError } from '../core/errors.js';
import { dataSelection, trainingDataSelection } from './selection-flags.js';

const refused = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && message.test(e.message));

test('data-selection flags: the library selection, in its order, with only what is given', () => {
  assert.deepEqual(dataSelection({ data: 'd.csv' }), { data: 'd.csv' });
  const all = dataSelection({ data: 'd.csv', usage: 'all', split: '0.1', part: 'train', limit: '9', 'skip-bad': true, ferplus: 'f.csv', dedupe: true });
  assert.deepEqual(all, {
    data: 'd.csv',
    usage: 'all',
    split: { fraction: 0.1, seed: 42, part: 'train' },
    limit: 9,
    skipBad: true,
    ferplus: 'f.csv',
    dedupe: { threshold: 0.99 },
  });
  assert.deepEqual(Object.keys(all), ['data', 'usage', 'split', 'limit', 'skipBad', 'ferplus', 'dedupe']);
  refused(() => dataSelection({ data: 'd.csv', part: 'middle' }), /--part must be heldout or train/);
  refused(() => dataSelection({ data: 'd.csv', 'dedupe-threshold': '0.9' }), /--dedupe-threshold needs --dedupe/);
});

test("train's data flags: a held-out split seeded by the run, or --val data", () => {
  assert.deepEqual(trainingDataSelection({ data: 'd.csv', usage: 'Training' }, 7), { data: 'd.csv', usage: ['Training'], split: { fraction: 0.2, seed: 7 } });
  assert.deepEqual(trainingDataSelection({ data: 'd.csv', split: '0.1', 'split-seed': '3' }, 7).split, { fraction: 0.1, seed: 3 });
  assert.deepEqual(trainingDataSelection({ data: 'd.csv', val: 'v/', 'val-usage': 'a,b' }, 7), {
    data: 'd.csv',
    validation: { data: 'v/', usage: ['a', 'b'] },
  });
});
