import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readImageFolder } from './folder.js';
import { loadDataset } from './load.js';
import { FerkitError } from '../core/errors.js';
import { tempDir } from '../../test/fixtures.js';

async function grey(file: string, value: number, size = 48, format: 'png' | 'jpeg' = 'png'): Promise<void> {
  const img = sharp({ create: { width: size, height: size, channels: 3, background: { r: value, g: value, b: value } } });
  writeFileSync(file, await (format === 'png' ? img.png() : img.jpeg({ quality: 100 })).toBuffer());
}

test('class folders match labels case-insensitively and by synonym; others are skipped with a warning', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const [folder, v] of [
      ['Anger', 10],
      ['HAPPINESS', 20],
      ['sadness', 30],
      ['contempt', 40],
    ] as const) {
      mkdirSync(join(dir, folder));
      await grey(join(dir, folder, 'a.png'), v);
      await grey(join(dir, folder, 'b.jpg'), v, 96, 'jpeg'); // other sizes are resized
    }
    writeFileSync(join(dir, 'HAPPINESS', 'notes.txt'), 'not an image');
    const { dataset, report } = await readImageFolder(dir);
    assert.equal(dataset.count, 6);
    assert.deepEqual([...dataset.labels].sort(), [0, 0, 3, 3, 4, 4]);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0], /contempt/);
    const i = dataset.ids.findIndex((id) => id.endsWith(join('sadness', 'b.jpg')));
    assert.ok(Math.abs(dataset.pixels[i * 2304 + 100] - 30) <= 2, 'grey value survives decode and resize');
  } finally {
    cleanup();
  }
});

test('an undecodable image stops the read naming the file, or is skipped and counted', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'happy'));
    await grey(join(dir, 'happy', 'ok.png'), 100);
    writeFileSync(join(dir, 'happy', 'broken.jpg'), Buffer.from('this is not a jpeg'));
    await assert.rejects(readImageFolder(dir), (err: unknown) => {
      assert.ok(err instanceof FerkitError);
      assert.equal(err.code, 'BAD_IMAGE');
      assert.equal(err.file, join(dir, 'happy', 'broken.jpg'));
      assert.match(err.message, /set skipBad/);
      assert.deepEqual(err.options, ['skipBad']);
      return true;
    });
    const { dataset, report } = await readImageFolder(dir, { skipBad: true });
    assert.equal(dataset.count, 1);
    assert.equal(report.skipped, 1);
  } finally {
    cleanup();
  }
});

test('train/ and test/ sub-roots are chosen by usage', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const [part, n] of [
      ['train', 3],
      ['test', 2],
    ] as const) {
      mkdirSync(join(dir, part, 'neutral'), { recursive: true });
      for (let i = 0; i < n; i++) await grey(join(dir, part, 'neutral', `${i}.png`), 50);
    }
    assert.equal((await loadDataset(dir, { usage: ['Training'] })).dataset.count, 3);
    assert.equal((await loadDataset(dir, { usage: ['PublicTest'] })).dataset.count, 2);
    assert.equal((await loadDataset(dir)).dataset.count, 5);
  } finally {
    cleanup();
  }
});

test('a folder without emotion folders says how to lay it out', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'misc'));
    await assert.rejects(readImageFolder(dir), /no images in emotion-named folders/);
  } finally {
    cleanup();
  }
});
