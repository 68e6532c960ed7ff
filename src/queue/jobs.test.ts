/** How a job's error is kept by BullMQ: a caller's error fails the job at once, any other is retried; its code comes back from the message. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError } from 'bullmq';
import { FerkitError, type FerkitErrorCode } from '../core/errors.js';
import { jobError, jobFailure } from './jobs.js';

test("jobError: a caller's error is unrecoverable (not retried), any other is retried; jobFailure reads the code back", () => {
  for (const [code, unrecoverable] of [
    ['BAD_IMAGE', true],
    ['BAD_ARGUMENT', true],
    ['DATA_NOT_FOUND', true],
    ['BAD_DATA', true],
    ['UNAVAILABLE', false],
    ['TIMEOUT', false],
    ['BAD_MODEL', false],
    ['INTERNAL', false],
  ] as [FerkitErrorCode, boolean][]) {
    const err = jobError(new FerkitError(code, 'what went wrong'));
    assert.equal(err instanceof UnrecoverableError, unrecoverable, code);
    assert.deepEqual(jobFailure(err.message), { code, message: 'what went wrong' });
  }
  // an error ferkit did not raise is kept as it is, and retried
  const plain = new Error('socket hang up');
  assert.equal(jobError(plain), plain);
  assert.deepEqual(jobFailure('socket hang up'), { code: 'UNAVAILABLE', message: 'socket hang up' });
});
