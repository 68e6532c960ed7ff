/**
 * A job's picture is checked as the service checks an upload: a job cannot
 * get a worker to read what the service refuses. Files named by jobs only
 * (no Redis needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { FerkitError } from '../errors.js';
import { DEFAULT_INPUT_LIMITS, pictureBytes, type InputContext } from './inputs.js';
import { pngStrip, tiffHeader } from '../../test/pictures.js';
import { tempDir } from '../../test/fixtures.js';

const { dir, cleanup } = tempDir();
test.after(cleanup);
const ctx: InputContext = { redis: undefined as unknown as Redis, readRoots: [dir], limits: DEFAULT_INPUT_LIMITS };

/** The picture job input of a file `name` in the readable folder, holding `bytes`. */
function file(name: string, bytes?: Uint8Array): { name: string; source: { path: string } } {
  if (bytes) writeFileSync(join(dir, name), bytes);
  return { name, source: { path: join(dir, name) } };
}

async function refused(input: ReturnType<typeof file>, message: RegExp): Promise<void> {
  await assert.rejects(pictureBytes(input, ctx), (err: unknown) => {
    assert.ok(err instanceof FerkitError, String(err));
    assert.equal(err.code, 'BAD_IMAGE', err.message);
    assert.equal(err.file, input.name);
    assert.match(err.message, message);
    return true;
  });
}

test('a job names a picture the service would refuse: the worker refuses it from its header', async () => {
  const base = sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 20, b: 30 } } });
  await refused(file('deep.tif', tiffHeader(2000, 2000, 1000)), /^deep\.tif: TIFF is not read; send JPEG, PNG or WebP$/);
  await refused(file('small.tif', await base.clone().tiff().toBuffer()), /TIFF is not read/);
  await refused(file('anim.gif', await base.clone().gif().toBuffer()), /GIF is not read/);
  await refused(file('photo.avif', await base.clone().avif().toBuffer()), /AVIF is not read/);
  await refused(file('strip.png', pngStrip(1, 16_000_000)), /1x16000000 pixels is longer than 65,535 pixels on a side/);
  await refused(file('narrow.png', pngStrip(10, 1200)), /narrower than 1:100/);
  const jpeg = await base.clone().jpeg().toBuffer();
  assert.deepEqual(await pictureBytes(file('photo.jpg', jpeg), ctx), jpeg);
});

test('a job names a FIFO: refused at once, never read', { skip: process.platform === 'win32' && 'no mkfifo' }, async () => {
  execFileSync('mkfifo', [join(dir, 'fifo.jpg')]);
  await refused(file('fifo.jpg'), /not a regular file/);
});
