import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelFiles, publicMetadata } from './static.js';
import { tempDir } from '../../test/fixtures.js';

test('modelFiles: the files a model names, none outside its folder', () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = join(dir, 'm');
    mkdirSync(model);
    const manifest = (path: string) => JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [path], weights: [] }] });
    writeFileSync(join(model, 'model.json'), manifest('weights.bin'));
    writeFileSync(join(model, 'weights.bin'), 'w');
    writeFileSync(join(model, 'ferkit.json'), '{}');
    assert.deepEqual([...modelFiles(model).keys()].sort(), ['ferkit.json', 'model.json', 'weights.bin']);
    writeFileSync(join(dir, 'secret.bin'), 's');
    writeFileSync(join(model, 'model.json'), manifest('../secret.bin'));
    assert.throws(() => modelFiles(model), /outside the model/);
  } finally {
    cleanup();
  }
});

test('publicMetadata: what the page needs, without how and on what data the model was trained', () => {
  const out = JSON.parse(
    publicMetadata(Buffer.from(JSON.stringify({ labels: ['a'], calibration: { temperature: 2 }, training: { data: '/home/me/data.csv' } }))).toString(),
  );
  assert.deepEqual(out, { labels: ['a'], calibration: { temperature: 2 } });
});
