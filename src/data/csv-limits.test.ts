/**
 * Hostile CSVs cost little: line length and gzip expansion are bounded,
 * messages show short excerpts, and a broken gzip stream keeps the rows
 * read before it with skipBad. Time bounds are generous (10x or more the
 * measured figures) so they hold on any machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readFerCsv } from './csv.js';
import { FerkitError } from '../core/errors.js';
import { csvRow, tempDir } from '../../test/fixtures.js';

const { dir, cleanup } = tempDir();
test.after(cleanup);

const HEADER = 'emotion,pixels,Usage';
const GOOD = csvRow(3, (i) => i % 256);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T | FerkitError; seconds: number; rssMB: number }> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let value: T | FerkitError;
  try {
    value = await fn();
  } catch (err) {
    assert.ok(err instanceof FerkitError, `not a FerkitError: ${String(err)}`);
    value = err;
  }
  return { value, seconds: (performance.now() - t0) / 1000, rssMB: (process.memoryUsage().rss - rss0) / 2 ** 20 };
}

test('a 20 MB line in a small .csv.gz: refused at the length limit, in linear time; skipBad skips it and keeps the rest', async () => {
  const file = join(dir, 'long-line.csv.gz');
  writeFileSync(file, gzipSync([HEADER, GOOD, `3,${'1 '.repeat(10_000_000)},Training`, GOOD, ''].join('\n')));
  const strict = await timed(() => readFerCsv(file));
  assert.ok(strict.value instanceof FerkitError && strict.value.code === 'BAD_DATA');
  assert.match(strict.value.message, /line 3: the line is longer than 1048576 bytes/);
  assert.ok(strict.value.message.length < 300);
  // measured 0.1 s; the quadratic reader took 50 s
  assert.ok(strict.seconds < 10, `${strict.seconds} s`);
  assert.ok(strict.rssMB < 500, `RSS grew ${strict.rssMB} MB`);
  const skipped = await timed(() => readFerCsv(file, { skipBad: true }));
  assert.ok(!(skipped.value instanceof FerkitError));
  assert.equal(skipped.value.dataset.count, 2);
  assert.equal(skipped.value.report.skipped, 1);
  assert.ok(skipped.seconds < 10, `${skipped.seconds} s`);
  // the limit is an option
  await assert.rejects(readFerCsv(file, { maxLineBytes: 100 }), /line 2: the line is longer than 100 bytes/);
});

test('a gzip bomb stops at the expansion bound, not at the end of its data', async () => {
  const file = join(dir, 'bomb.csv.gz');
  // 80 MB of blank lines in about 80 KB
  writeFileSync(file, gzipSync(Buffer.alloc(80 * 2 ** 20, 10), { level: 9 }));
  const r = await timed(() => readFerCsv(file));
  assert.ok(r.value instanceof FerkitError && r.value.code === 'BAD_DATA', String(r.value));
  assert.match(r.value.message, /expands to more than 64 MiB/);
  assert.ok(r.seconds < 20, `${r.seconds} s`);
  assert.ok(r.rssMB < 500, `RSS grew ${r.rssMB} MB`);
});

test('a CSV with swapped columns and no header: the message shows an excerpt, not the 8.5 KB pixel string', async () => {
  const file = join(dir, 'swapped.csv');
  const pixels = Array.from({ length: 2304 }, (_, i) => i % 256).join(' ');
  writeFileSync(file, `${pixels},3,Training\n`);
  await assert.rejects(readFerCsv(file), (err: FerkitError) => {
    assert.equal(err.code, 'BAD_DATA');
    assert.ok(err.message.length < 400, `${err.message.length} characters`);
    assert.match(err.message, /line 1: emotion "0 1 2 3.*\(\d+ characters\)" is not an integer 0\.\.6/);
    return true;
  });
  const wide = join(dir, 'wide-header.csv');
  writeFileSync(wide, `${'x'.repeat(20_000)},y\n`);
  await assert.rejects(readFerCsv(wide), (err: FerkitError) => err.code === 'BAD_DATA' && err.message.length < 400);
});

test('a truncated .csv.gz: an error saying where it broke; skipBad keeps the rows before the break', async () => {
  const file = join(dir, 'cut.csv.gz');
  const rows = Array.from({ length: 400 }, (_, i) => csvRow(i % 7, (j) => (i + j) % 256));
  const whole = gzipSync([HEADER, ...rows, ''].join('\n'));
  writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
  await assert.rejects(readFerCsv(file), (err: FerkitError) => {
    assert.equal(err.code, 'BAD_DATA');
    assert.match(err.message, /reading stopped after line \d+ .*unexpected end of file.*skipBad/);
    return true;
  });
  const { dataset, report } = await readFerCsv(file, { skipBad: true });
  assert.ok(dataset.count > 100 && dataset.count < 400, `${dataset.count} rows kept`);
  assert.equal(report.read, dataset.count);
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0], new RegExp(`reading stopped after line ${dataset.count + 1} .*the ${dataset.count} rows read before the break are kept`));
  // the rows kept are the file's first ones, whole
  assert.deepEqual([...dataset.labels.slice(0, 7)], [0, 1, 2, 3, 4, 5, 6]);
});
