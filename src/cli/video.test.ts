import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { hasFfmpeg } from '../video/source.js';
import { trackingFlags, videoCommand } from './video.js';
import { PROJECT_ROOT, tempDir } from '../../test/fixtures.js';

test('tracking flags: detect, then track by default; --no-track or --detect-every 0 search every frame', () => {
  assert.deepEqual(trackingFlags(undefined, undefined, undefined), { detectEvery: 0.5 });
  assert.deepEqual(trackingFlags('1.5', undefined, 'detect'), { detectEvery: 1.5, follow: 'detect' });
  assert.equal(trackingFlags('0', undefined, undefined), false);
  assert.equal(trackingFlags(undefined, true, undefined), false);
  const refused = (f: () => unknown, message: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && message.test(e.message));
  refused(() => trackingFlags('1', true, undefined), /either --no-track or --detect-every/);
  refused(() => trackingFlags('-1', undefined, undefined), /--detect-every must be 0 or more/);
  refused(() => trackingFlags(undefined, undefined, 'guess'), /--follow must be motion or detect/);
  refused(() => trackingFlags(undefined, true, 'motion'), /--follow needs tracking/);
});

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';

test('--read-timeout and --max-seconds must be seconds above 0', async () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'a.mp4');
    writeFileSync(file, 'x');
    for (const flags of [
      ['--read-timeout', '0'],
      ['--read-timeout', 'soon'],
      ['--max-seconds', '-1'],
    ])
      await assert.rejects(
        videoCommand(
          [file, ...flags],
          () => {},
          () => {},
        ),
        (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && new RegExp(flags[0]).test(e.message),
      );
  } finally {
    tmp.cleanup();
  }
});

test(
  'ferkit video URL: a server that answers the probe and then trickles bytes fails with TIMEOUT within --read-timeout',
  { skip: noFfmpeg, timeout: 120_000 },
  async () => {
    const tmp = tempDir();
    const ts = join(tmp.dir, 'live.ts');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=160x120:d=10:r=10', '-pix_fmt', 'yuv420p', '-f', 'mpegts', ts]);
    assert.equal(made.status, 0, made.stderr.toString());
    const data = readFileSync(ts);
    let requests = 0;
    let readStarted = 0;
    const timers = new Set<NodeJS.Timeout>();
    // the first request (ffprobe's) gets the whole stream; the next (ffmpeg's) 2 KB, then a byte every 100 ms
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      if (++requests === 1) return void res.end(data);
      readStarted = Date.now();
      res.write(data.subarray(0, 2048));
      let at = 2048;
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(data.subarray(at, ++at))), 100);
      timers.add(t);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const child = spawn(
        process.execPath,
        [join(PROJECT_ROOT, 'bin', 'ferkit.js'), 'video', `http://127.0.0.1:${(server.address() as AddressInfo).port}/live.ts`, '--read-timeout', '1'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.resume();
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const afterRead = Date.now() - readStarted;
      assert.equal(code, 1, stderr);
      assert.match(
        stderr,
        /ferkit video: http:\/\/127\.0\.0\.1:\d+\/live\.ts: no frame came for 1 s after \d+ frames; the stream stalled or sends too slowly.* \(flag --read-timeout\)/,
      );
      assert.equal(requests, 2);
      // the deadline is 1 s from the last frame: the process has ended within a few seconds of the reading's start
      assert.ok(readStarted > 0 && afterRead < 10_000, `exited ${afterRead} ms after the read began`);
    } finally {
      timers.forEach(clearInterval);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      tmp.cleanup();
    }
  },
);
