import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { csvRow, FERPLUS_HEADER, syntheticFaces, tempDir } from '../../test/fixtures.js';
import { EMOTIONS, FERPLUS_COLUMNS, FERPLUS_TO_FER } from '../core/labels.js';
import { selectData, selectTrainingData, type SelectionStep } from './select.js';

/** 84 faces, 12 per class; every 4th row PublicTest, the others Training. */
function csvFile(dir: string): string {
  const { pixels, labels } = syntheticFaces(12);
  const rows = Array.from(labels, (l, i) => csvRow(l, (j) => pixels[i * 2304 + j], i % 4 === 0 ? 'PublicTest' : 'Training'));
  const file = join(dir, 'faces.csv');
  writeFileSync(file, ['emotion,pixels,Usage', ...rows].join('\n') + '\n');
  return file;
}

test('selectData: PublicTest by default, Training for a split, one part of it; each step reported', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = csvFile(dir);
    const steps: SelectionStep[] = [];
    assert.equal((await selectData({ data }, (s) => steps.push(s))).count, 21);
    assert.deepEqual(
      steps.map((s) => s.step),
      ['read'],
    );
    assert.deepEqual(steps[0].step === 'read' && steps[0].usage, ['PublicTest']);
    assert.equal((await selectData({ data, usage: 'all' })).count, 84);
    const held = await selectData({ data, split: { fraction: 0.2 } }, (s) => steps.push(s));
    const part = await selectData({ data, split: { fraction: 0.2, part: 'train' } });
    assert.equal(held.count + part.count, 63);
    assert.deepEqual(steps.at(-1), { step: 'split', fraction: 0.2, seed: 42, part: 'heldout', train: part.count, heldOut: held.count });
  } finally {
    cleanup();
  }
});

test('selectData refuses selections that cannot work, naming the options to change', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = csvFile(dir);
    const refused = async (p: Promise<unknown>, options: string[]) =>
      assert.rejects(p, (err: unknown) => err instanceof FerkitError && err.code === 'BAD_ARGUMENT' && err.options?.join() === options.join());
    await refused(selectData({ data, usage: ['Training'], dedupe: true }), ['dedupe', 'usage', 'split']);
    await refused(selectData({ data, split: { fraction: 0.2, part: 'train' }, dedupe: true }), ['dedupe', 'split.part']);
    await refused(selectData({ data: dir, ferplus: join(dir, 'fer2013new.csv') }), ['ferplus', 'data']);
  } finally {
    cleanup();
  }
});

test('selectTrainingData: a stratified held-out part, or another file; the provenance that chose them', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = csvFile(dir);
    const split = await selectTrainingData({ data, split: { seed: 7 }, limit: 30 });
    assert.equal(split.train.count + split.validation!.count, 30);
    assert.deepEqual(split.provenance, { data, usage: ['Training'], split: 0.2, splitSeed: 7, limit: 30 });
    const other = await selectTrainingData({ data, validation: { data }, dedupe: true });
    assert.deepEqual([other.train.count, other.validation!.count], [63, 21]);
    assert.deepEqual(other.provenance, { data, usage: ['Training'], validation: data, validationUsage: ['PublicTest'], dedupe: 0.99 });
    await assert.rejects(selectTrainingData({ data, validation: { data }, split: {} }), /either validation data or a split/);
    // a split of 0: every Training row trains, and nothing validates
    const steps: SelectionStep[] = [];
    const all = await selectTrainingData({ data, split: { fraction: 0 } }, (s) => steps.push(s));
    assert.equal(all.train.count, 63);
    assert.equal(all.validation, undefined);
    assert.deepEqual(all.provenance, { data, usage: ['Training'], split: 0 });
    assert.deepEqual(
      steps.filter((s) => s.step === 'split').map((s) => [s.train, s.heldOut]),
      [[63, 0]],
    );
    await assert.rejects(selectTrainingData({ data, split: { fraction: 0 }, dedupe: true }), /a split of 0 has none/);
  } finally {
    cleanup();
  }
});

/** FER+ votes for the 84 rows of csvFile: most say another emotion than FER2013; every 10th row is not a face. */
function ferPlusFile(dir: string): string {
  const lines = Array.from({ length: 84 }, (_, i) => {
    const votes = new Array<number>(FERPLUS_COLUMNS.length).fill(0);
    if (i % 10 === 0) votes[FERPLUS_COLUMNS.indexOf('NF')] = 9;
    else votes[FERPLUS_TO_FER.indexOf(EMOTIONS[(i * 3) % 7])] = 8;
    return [i % 4 === 0 ? 'PublicTest' : 'Training', `fer${i}.png`, ...votes].join(',');
  });
  const file = join(dir, 'fer2013new.csv');
  writeFileSync(file, [FERPLUS_HEADER, ...lines].join('\n') + '\n');
  return file;
}

test('selectTrainingData with FER+: the split is made on the FER2013 labels first, so its held-out rows are the ones eval selects', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = csvFile(dir);
    const ferplus = ferPlusFile(dir);
    const plain = await selectTrainingData({ data, split: { fraction: 0.25, seed: 3 } });
    const fp = await selectTrainingData({ data, split: { fraction: 0.25, seed: 3 }, ferplus });
    const ids = (d: { ids: readonly string[] }) => new Set(d.ids);
    const without = (d: { ids: readonly string[]; rows: ArrayLike<number> }) => d.ids.filter((_, k) => d.rows[k] % 10 !== 0);
    assert.deepEqual(ids(fp.validation!), new Set(without(plain.validation!)));
    assert.deepEqual(ids(fp.train), new Set(without(plain.train)));
    assert.ok(fp.train.soft && fp.validation!.soft, 'both parts carry the soft labels');
    const evaluated = await selectData({ data, split: { fraction: 0.25, seed: 3 }, ferplus });
    assert.deepEqual(ids(evaluated), ids(fp.validation!));
  } finally {
    cleanup();
  }
});
