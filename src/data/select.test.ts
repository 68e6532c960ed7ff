import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../errors.js';
import { csvRow, syntheticFaces, tempDir } from '../../test/fixtures.js';
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
    assert.equal(split.train.count + split.validation.count, 30);
    assert.deepEqual(split.provenance, { data, usage: ['Training'], split: 0.2, splitSeed: 7, limit: 30 });
    const other = await selectTrainingData({ data, validation: { data }, dedupe: true });
    assert.deepEqual([other.train.count, other.validation.count], [63, 21]);
    assert.deepEqual(other.provenance, { data, usage: ['Training'], validation: data, validationUsage: ['PublicTest'], dedupe: 0.99 });
    await assert.rejects(selectTrainingData({ data, validation: { data }, split: {} }), /either validation data or a split/);
  } finally {
    cleanup();
  }
});
