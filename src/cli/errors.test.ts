import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerkitError } from '../core/errors.js';
import { cliMessage, flagsFor } from './errors.js';

test('the CLI follows a library error with the flags for the options it names', () => {
  const bad = new FerkitError('BAD_DATA', 'x.csv, line 3: bad pixels. Fix or remove the row, or set skipBad to skip bad rows.', { options: ['skipBad'] });
  assert.equal(cliMessage(bad, 'eval'), 'x.csv, line 3: bad pixels. Fix or remove the row, or set skipBad to skip bad rows (flag --skip-bad).');
  const plain = new FerkitError('BAD_DATA', 'no faces');
  assert.equal(cliMessage(plain, 'eval'), 'no faces');
  assert.deepEqual(flagsFor(['split.seed'], 'eval'), ['--seed']);
  assert.deepEqual(flagsFor(['split.seed'], 'train'), ['--split-seed']);
  assert.deepEqual(flagsFor(['train', 'validation', 'outDir', 'unknown'], 'train'), [
    '--data',
    '--usage',
    '--split',
    '--split-seed',
    '--limit',
    '--ferplus',
    '--val',
    '--val-usage',
    '--dedupe',
    '--out',
  ]);
});
