/** The public API is what docs/api.md says: a change to any entry's exports is a change to that file, seen in review. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiReport, packageEntries } from './api-report.js';
import { PROJECT_ROOT } from './fixtures.js';

test("every entry's exports are listed in docs/api.md (npm run docs:api writes it)", () => {
  const written = readFileSync(join(PROJECT_ROOT, 'docs', 'api.md'), 'utf8');
  assert.equal(apiReport(), written, 'the public API changed: run `npm run docs:api` and review the difference in docs/api.md');
});

test('the root entry stays small: recognition only', () => {
  const root = apiReport().split('\n## ')[1];
  const count = Number(/(\d+) names\./.exec(root)![1]);
  assert.ok(count <= 40, `the root entry exports ${count} names; put what recognition does not need in a subpath entry`);
  assert.ok(packageEntries().length >= 8);
});
