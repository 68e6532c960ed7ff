/** Which errors are the caller's fault: one list, for the queue (no retry), batches (reported in place) and the service (4xx). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALLER_ERRORS, isCallerError, type FerkitErrorCode } from './errors.js';

// every code, classified: a code added to FerkitErrorCode must be added here (the test does not compile otherwise)
const CALLER: Record<FerkitErrorCode, boolean> = {
  BAD_ARGUMENT: true,
  DATA_NOT_FOUND: true,
  BAD_DATA: true,
  BAD_IMAGE: true,
  MODEL_NOT_FOUND: false,
  BAD_MODEL: false,
  ENGINE_UNAVAILABLE: false,
  CHECKPOINT_MISMATCH: false,
  UNAVAILABLE: false,
  TIMEOUT: false,
  INTERNAL: false,
};

test("isCallerError: a bad argument or a missing or unreadable input is the caller's; setup, transient and internal failures are not", () => {
  for (const [code, caller] of Object.entries(CALLER) as [FerkitErrorCode, boolean][]) assert.equal(isCallerError(code), caller, code);
  assert.deepEqual(
    [...CALLER_ERRORS].sort(),
    Object.keys(CALLER)
      .filter((c) => CALLER[c as FerkitErrorCode])
      .sort(),
  );
});

test('CALLER_ERRORS cannot be changed by a caller', () => {
  assert.throws(() => (CALLER_ERRORS as FerkitErrorCode[]).push('INTERNAL'), TypeError);
  assert.equal(isCallerError('INTERNAL'), false);
});
