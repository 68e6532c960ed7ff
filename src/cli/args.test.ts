import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotateStyleFlag } from './args.js';
import { FerkitError } from '../core/errors.js';

test('--annotate-style: full by default, labels on asking; a typo gets a suggestion; alone it names the flag it needs', () => {
  assert.equal(annotateStyleFlag(undefined, 'out/', '--annotate'), 'full');
  assert.equal(annotateStyleFlag(undefined, undefined, '--annotate'), 'full');
  assert.equal(annotateStyleFlag('labels', 'out/', '--annotate'), 'labels');
  assert.equal(annotateStyleFlag('full', 'out.mp4', '--annotate-video'), 'full');
  assert.throws(
    () => annotateStyleFlag('label', 'out/', '--annotate'),
    (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && /full, labels.*did you mean labels\?/.test(e.message),
  );
  assert.throws(() => annotateStyleFlag('labels', undefined, '--annotate-video'), /give --annotate-video too/);
});
