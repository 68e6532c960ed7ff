/** The TensorFlow wheel the native install may unpack is checked against its pinned SHA-256 first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_ROOT, tempDir } from './fixtures.js';

const { checkWheel, PINNED_WHEELS } = createRequire(import.meta.url)(join(PROJECT_ROOT, 'native', 'prepare-libtensorflow.cjs')) as {
  checkWheel: (wheel: string, cached: boolean) => void;
  PINNED_WHEELS: Record<string, string>;
};

test('a wheel is unpacked only with its pinned SHA-256', () => {
  const { dir, cleanup } = tempDir();
  const env = process.env.FERKIT_TF_WHEEL_SHA256;
  try {
    delete process.env.FERKIT_TF_WHEEL_SHA256;
    const [name, digest] = Object.entries(PINNED_WHEELS)[0];
    assert.match(digest, /^[0-9a-f]{64}$/);
    // a tampered copy of the pinned wheel: refused, and removed from the cache
    const tampered = join(dir, name);
    writeFileSync(tampered, 'not the wheel');
    assert.throws(() => checkWheel(tampered, true), /has SHA-256 [0-9a-f]{64}, not the pinned/);
    assert.ok(!existsSync(tampered));
    // a wheel without a pinned digest: refused unless its digest is given
    const other = join(dir, 'tensorflow_cpu-9.9.9-cp312-cp312-manylinux_2_27_x86_64.whl');
    writeFileSync(other, 'another wheel');
    assert.throws(() => checkWheel(other, false), /no pinned SHA-256 .* FERKIT_TF_WHEEL_SHA256/);
    process.env.FERKIT_TF_WHEEL_SHA256 = createHash('sha256').update('another wheel').digest('hex');
    assert.doesNotThrow(() => checkWheel(other, false));
    assert.ok(existsSync(other), 'a wheel given by the user is never deleted');
  } finally {
    if (env === undefined) delete process.env.FERKIT_TF_WHEEL_SHA256;
    else process.env.FERKIT_TF_WHEEL_SHA256 = env;
    cleanup();
  }
});
