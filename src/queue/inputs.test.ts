/**
 * A job's picture is checked as the service checks an upload: a job cannot
 * get a worker to read what the service refuses. Files named by jobs only
 * (no Redis needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { FerkitError } from '../core/errors.js';
import { allowList } from '../video/fetch-guard.js';
import { DEFAULT_INPUT_LIMITS, pictureBytes, videoLocation, type InputContext } from './inputs.js';
import { pngStrip, tiffHeader } from '../../test/pictures.js';
import { tempDir } from '../../test/fixtures.js';

const { dir, cleanup } = tempDir();
test.after(cleanup);
const ctx: InputContext = { redis: undefined as unknown as Redis, readRoots: [dir], limits: DEFAULT_INPUT_LIMITS };

const port = (s: Server) => (s.address() as AddressInfo).port;

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

test('job URLs: loopback by address or by name, and redirects to it, are refused before any connection; the allow list opens them', async () => {
  const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 20, b: 30 } } })
    .jpeg()
    .toBuffer();
  let secretHits = 0;
  const secret = createServer((_req, res) => {
    secretHits++;
    res.end(jpeg);
  });
  const front = createServer((req, res) => {
    if (req.url === '/photo.jpg' || req.url === '/clip.mp4') return res.end(jpeg);
    res.writeHead(302, { location: `http://127.0.0.1:${port(secret)}/photo.jpg` }).end();
  });
  await Promise.all([secret, front].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  const url = (u: string) => ({ name: u, source: { url: u } });
  const badArgument = (pattern: RegExp) => (err: unknown) => err instanceof FerkitError && err.code === 'BAD_ARGUMENT' && pattern.test(err.message);
  try {
    // no allowance: loopback by address, by a name that resolves to it, or in another form of the address
    for (const u of [
      `http://127.0.0.1:${port(secret)}/photo.jpg`,
      `http://localhost:${port(secret)}/photo.jpg`,
      `http://2130706433:${port(secret)}/photo.jpg`,
      `http://[::1]:${port(secret)}/photo.jpg`,
      'http://169.254.169.254/latest/meta-data/iam/',
    ]) {
      await assert.rejects(pictureBytes(url(u), ctx), badArgument(/is a (loopback|link-local) address; fetching it on behalf of a job is refused/), u);
      await assert.rejects(videoLocation(url(u), ctx), badArgument(/refused/), u);
    }
    // the test server allowed by name for the first hop only: its redirect to 127.0.0.1 is refused
    const allowed: InputContext = { ...ctx, allow: allowList('localhost') };
    assert.deepEqual(await pictureBytes(url(`http://localhost:${port(front)}/photo.jpg`), allowed), jpeg);
    await assert.rejects(pictureBytes(url(`http://localhost:${port(front)}/elsewhere`), allowed), badArgument(/127\.0\.0\.1 is a loopback address/));
    await assert.rejects(videoLocation(url(`http://localhost:${port(front)}/elsewhere`), allowed), badArgument(/loopback/));
    assert.equal(secretHits, 0);
    // a range on the allow list lets the redirect through; a video is downloaded to a file for ffmpeg, never given to it as a URL
    const wide: InputContext = { ...ctx, allow: allowList(['localhost', '127.0.0.0/8']) };
    assert.deepEqual(await pictureBytes(url(`http://localhost:${port(front)}/elsewhere`), wide), jpeg);
    assert.equal(secretHits, 1);
    const { location, release } = await videoLocation(url(`http://localhost:${port(front)}/clip.mp4`), allowed);
    assert.ok(isAbsolute(location) && !/^[a-z]+:/i.test(location), location);
    assert.deepEqual(readFileSync(location), jpeg);
    await release();
    assert.ok(!existsSync(location));
    // past the video limit: refused, and nothing left behind
    await assert.rejects(
      videoLocation(url(`http://localhost:${port(front)}/clip.mp4`), { ...allowed, limits: { ...DEFAULT_INPUT_LIMITS, videoBytes: 100 } }),
      /over the limit of 100 bytes/,
    );
  } finally {
    for (const s of [secret, front]) {
      s.closeAllConnections();
      s.close();
    }
  }
});
