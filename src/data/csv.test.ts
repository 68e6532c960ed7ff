import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readFerCsv } from './csv.js';
import { FerkitError } from '../core/errors.js';
import { classCounts } from './dataset.js';
import { csvRow, tempDir, needs, FER_CSV } from '../../test/fixtures.js';

const HEADER = 'emotion,pixels,Usage';

function write(name: string, lines: string[], gz = false): { file: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  const file = join(dir, name);
  const text = lines.join('\n') + '\n';
  writeFileSync(file, gz ? gzipSync(text) : text);
  return { file, cleanup };
}

test('reads rows, labels, pixels and usage; ids name file and line', async () => {
  const { file, cleanup } = write('a.csv', [HEADER, csvRow(3, (i) => i % 256), csvRow(0, () => 7, 'PublicTest'), csvRow(6, () => 255)]);
  try {
    const { dataset, report } = await readFerCsv(file);
    assert.equal(dataset.count, 3);
    assert.deepEqual([...dataset.labels], [3, 0, 6]);
    assert.equal(dataset.pixels[0], 0);
    assert.equal(dataset.pixels[300], 300 % 256);
    assert.equal(dataset.pixels[2304], 7);
    assert.equal(dataset.pixels[2 * 2304 + 5], 255);
    assert.deepEqual([...dataset.rows], [0, 1, 2]);
    assert.equal(dataset.ids[1], `${file}:3`);
    assert.equal(report.read, 3);
    assert.equal(report.skipped, 0);
    const test = await readFerCsv(file, { usage: ['publictest'] });
    assert.equal(test.dataset.count, 1);
    assert.deepEqual([...test.dataset.rows], [1], 'rows keep the position in the file, for FER+ alignment');
  } finally {
    cleanup();
  }
});

test('gzip, CRLF line ends, no header, quoted pixels and columns in another order', async () => {
  const row = (l: number) => `"${Array.from({ length: 2304 }, () => 9).join(' ')}",Training,${l}`;
  const a = write(
    'b.csv.gz',
    ['pixels,Usage,emotion', row(1), row(2)].map((l) => l + '\r'),
    true,
  );
  const b = write('c.csv', [csvRow(4, () => 1), csvRow(5, () => 2)]);
  try {
    const r1 = await readFerCsv(a.file);
    assert.deepEqual([...r1.dataset.labels], [1, 2]);
    assert.equal(r1.dataset.pixels[2303], 9);
    const r2 = await readFerCsv(b.file);
    assert.deepEqual([...r2.dataset.labels], [4, 5]);
    assert.equal(r2.dataset.ids[0], `${b.file}:1`);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

const BAD_ROWS: [string, string, RegExp][] = [
  ['wrong pixel count', csvRow(1, () => 1, 'Training', 2300), /line 3: expected 2304 pixel values \(48x48\), found 2300/],
  ['label out of range', csvRow(7, () => 1), /line 3: emotion 7 is out of range 0\.\.6/],
  ['label not a number', csvRow('x', () => 1), /line 3: emotion "x" is not an integer/],
  ['pixel above 255', csvRow(1, (i) => (i === 10 ? 256 : 1)), /line 3: pixel 11 is above 255/],
  ['pixel not a number', csvRow(1, (i) => (i === 0 ? ('a' as unknown as number) : 1)), /line 3: pixel 1 contains "a"/],
  ['missing pixels field', '2', /line 3: expected at least 2 comma-separated fields/],
];

for (const [what, bad, message] of BAD_ROWS) {
  test(`a bad row (${what}) stops the read naming file and line, or is skipped and counted with skipBad`, async () => {
    const { file, cleanup } = write('bad.csv', [HEADER, csvRow(0, () => 1), bad, csvRow(2, () => 3)]);
    try {
      await assert.rejects(readFerCsv(file), (err: unknown) => {
        assert.ok(err instanceof FerkitError);
        assert.equal(err.code, 'BAD_DATA');
        assert.equal(err.row, 3);
        assert.equal(err.file, file);
        assert.match(err.message, message);
        assert.match(err.message, /set skipBad/);
        assert.deepEqual(err.options, ['skipBad']);
        return true;
      });
      const { dataset, report } = await readFerCsv(file, { skipBad: true });
      assert.deepEqual([...dataset.labels], [0, 2]);
      assert.equal(report.skipped, 1);
      assert.match(report.skippedExamples[0], /:3: /);
    } finally {
      cleanup();
    }
  });
}

test('a missing file says what to pass', async () => {
  await assert.rejects(readFerCsv('/nonexistent/fer.csv'), /no such CSV file: \/nonexistent\/fer\.csv/);
});

test('a CSV without a Usage column is read whole whatever the usage filter', async () => {
  const { file, cleanup } = write('nousage.csv', ['emotion,pixels', `1,${Array(2304).fill(5).join(' ')}`, `2,${Array(2304).fill(6).join(' ')}`]);
  try {
    const { dataset } = await readFerCsv(file, { usage: ['Training'] });
    assert.deepEqual([...dataset.labels], [1, 2]);
  } finally {
    cleanup();
  }
});

test('limit stops after that many kept rows', async () => {
  const { file, cleanup } = write('l.csv', [HEADER, ...Array.from({ length: 10 }, (_, i) => csvRow(i % 7, () => i))]);
  try {
    const { dataset } = await readFerCsv(file, { limit: 4 });
    assert.equal(dataset.count, 4);
  } finally {
    cleanup();
  }
});

test('the whole FER2013 CSV parses with the documented class counts', { skip: needs(FER_CSV) }, async () => {
  const { dataset } = await readFerCsv(FER_CSV, { usage: ['Training'] });
  assert.equal(dataset.count, 28709);
  assert.deepEqual(classCounts(dataset.labels), [3995, 436, 4097, 7215, 4830, 3171, 4965]);
});
