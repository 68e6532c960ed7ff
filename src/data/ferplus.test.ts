import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFerPlus, withFerPlus } from './ferplus.js';
import { makeDataset } from './dataset.js';
import { readFerCsv } from './csv.js';
import { tempDir, needs, FER_CSV, FERPLUS_CSV, FERPLUS_HEADER as HEADER } from '../../test/fixtures.js';

test('FER+ votes become soft labels; the majority becomes the label; non-faces and unvoted rows are dropped', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'fer2013new.csv');
    writeFileSync(
      file,
      [
        HEADER,
        'Training,fer0.png,2,6,0,0,0,0,0,2,0,0', // happy 6/8, neutral 2/8 (contempt ignored)
        'Training,,0,0,0,0,0,0,0,0,0,0', // no votes
        'Training,fer2.png,0,0,0,0,0,0,0,0,1,9', // not a face
        'Training,fer3.png,0,0,0,0,5,5,0,0,0,0', // tie anger/disgust: first in FER order (angry)
      ].join('\n') + '\n',
    );
    const fp = readFerPlus(file);
    assert.equal(fp.rows, 4);
    assert.deepEqual([...fp.hasVotes], [1, 0, 1, 1]);
    const ds = makeDataset({
      pixels: new Uint8Array(4 * 2304),
      labels: Int32Array.from([6, 6, 6, 6]),
      ids: ['a', 'b', 'c', 'd'],
      rows: Int32Array.from([0, 1, 2, 3]),
    });
    const { dataset, dropped } = withFerPlus(ds, fp);
    assert.deepEqual(dropped, { notFace: 1, unvoted: 1, otherMajority: 0 });
    assert.deepEqual(dataset.ids, ['a', 'd']);
    assert.deepEqual([...dataset.labels], [3, 0]);
    assert.deepEqual([...dataset.soft!.subarray(0, 7)], [0, 0, 0, 0.75, 0, 0, 0.25]);
    assert.deepEqual([...dataset.soft!.subarray(7, 14)], [0.5, 0.5, 0, 0, 0, 0, 0]);
  } finally {
    cleanup();
  }
});

test('for evaluation, images whose FER+ majority is contempt, unknown or not a face are left out', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'fer2013new.csv');
    writeFileSync(
      file,
      [
        HEADER,
        'PublicTest,a.png,1,0,0,0,0,0,0,6,3,0', // contempt majority
        'PublicTest,b.png,0,0,0,2,0,0,0,0,5,3', // unknown majority (NF not above half)
        'PublicTest,c.png,0,0,0,0,0,0,4,0,2,4', // fear ties not-a-face: the emotion wins
        'PublicTest,d.png,0,0,3,0,0,0,0,3,4,0', // unknown ahead of surprise
        'PublicTest,e.png,0,0,0,0,0,0,1,0,0,9', // not a face (counted as such)
      ].join('\n') + '\n',
    );
    const ds = makeDataset({
      pixels: new Uint8Array(5 * 2304),
      labels: Int32Array.from([0, 0, 0, 0, 0]),
      ids: ['a', 'b', 'c', 'd', 'e'],
      rows: Int32Array.from([0, 1, 2, 3, 4]),
    });
    const fp = readFerPlus(file);
    const kept = withFerPlus(ds, fp);
    assert.deepEqual(kept.dataset.ids, ['a', 'b', 'c', 'd']);
    assert.deepEqual([...kept.dataset.labels], [6, 4, 2, 5]);
    const scored = withFerPlus(ds, fp, { dropOtherMajority: true });
    assert.deepEqual(scored.dropped, { notFace: 1, unvoted: 0, otherMajority: 3 });
    assert.deepEqual(scored.dataset.ids, ['c']);
    assert.deepEqual([...scored.dataset.labels], [2]);
  } finally {
    cleanup();
  }
});

test('the real FER+ file aligns row by row with the FER2013 CSV', { skip: needs(FER_CSV) || needs(FERPLUS_CSV) }, async () => {
  const fp = readFerPlus(FERPLUS_CSV);
  const { dataset } = await readFerCsv(FER_CSV);
  assert.equal(fp.rows, dataset.count);
  const { dataset: soft, dropped } = withFerPlus(dataset, fp);
  assert.ok(dropped.notFace > 0 && dropped.notFace < 500, `dropped ${dropped.notFace} non-faces`);
  // FER+ relabels some images, but most keep their FER2013 class
  let same = 0;
  for (let i = 0; i < soft.count; i++) if (soft.labels[i] === dataset.labels[soft.rows[i]]) same++; // full CSV: data row r is image r
  assert.ok(same / soft.count > 0.6, `only ${((same / soft.count) * 100).toFixed(1)}% agree`);
});
