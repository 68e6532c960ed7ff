import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerkitError } from '../errors.js';
import { trackingFlags } from './video.js';

test('tracking flags: detect, then track by default; --no-track or --detect-every 0 search every frame', () => {
  assert.deepEqual(trackingFlags(undefined, undefined, undefined), { detectEvery: 0.5 });
  assert.deepEqual(trackingFlags('1.5', undefined, 'detect'), { detectEvery: 1.5, follow: 'detect' });
  assert.equal(trackingFlags('0', undefined, undefined), false);
  assert.equal(trackingFlags(undefined, true, undefined), false);
  const refused = (f: () => unknown, message: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && message.test(e.message));
  refused(() => trackingFlags('1', true, undefined), /either --no-track or --detect-every/);
  refused(() => trackingFlags('-1', undefined, undefined), /--detect-every must be 0 or more/);
  refused(() => trackingFlags(undefined, undefined, 'guess'), /--follow must be motion or detect/);
  refused(() => trackingFlags(undefined, true, 'motion'), /--follow needs tracking/);
});
