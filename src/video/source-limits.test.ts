/**
 * Hostile video files and streams: only real containers are opened, with the demuxer ffprobe found; a file cut short is
 * reported; a header that lies about the length is refused or not believed; a stream that trickles times out; ffmpeg dies
 * with its parent.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { claimedDuration, durationTrust, fileDemuxer, hasFfmpeg, probeVideo, readFrames, type EarlyEnd, type ReadLimit } from './source.js';
import { FerkitError } from '../core/errors.js';
import { tempDir } from '../../test/fixtures.js';
import { claimDuration, matroskaVideo } from '../../test/lying-video.js';

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';
const tmp = tempDir();
after(tmp.cleanup);

function ffmpeg(...args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  assert.equal(r.status, 0, r.stderr?.toString());
}

const isBadImage = (message: RegExp) => (err: unknown) => err instanceof FerkitError && err.code === 'BAD_IMAGE' && message.test(err.message);

test('fileDemuxer: the first name of an allowed container; anything else refused', () => {
  assert.equal(fileDemuxer('mov,mp4,m4a,3gp,3g2,mj2', 'a.mp4'), 'mov');
  assert.equal(fileDemuxer('matroska,webm', 'a.webm'), 'matroska');
  assert.equal(fileDemuxer('mpegts', 'a.ts'), 'mpegts');
  for (const f of ['hls', 'concat', 'image2', 'jpeg_pipe', 'tty', 'svg_pipe', undefined])
    assert.throws(() => fileDemuxer(f, 'x.mp4'), isBadImage(/x\.mp4: .*(not a video container|no container)/));
});

test('probeVideo names the container; a picture, a text file or a playlist named .mp4 is refused', { skip: noFfmpeg }, async () => {
  const mp4 = join(tmp.dir, 'ok.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1:r=10', '-pix_fmt', 'yuv420p', mp4);
  assert.match((await probeVideo(mp4)).format ?? '', /^mov,mp4/);
  const jpeg = join(tmp.dir, 'photo.mp4');
  writeFileSync(
    jpeg,
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .jpeg()
      .toBuffer(),
  );
  await assert.rejects(probeVideo(jpeg), isBadImage(/photo\.mp4/));
  const text = join(tmp.dir, 'notes.mp4');
  writeFileSync(text, 'just some text\n'.repeat(100));
  await assert.rejects(probeVideo(text), isBadImage(/notes\.mp4/));
  const list = join(tmp.dir, 'list.mp4');
  writeFileSync(list, `ffconcat version 1.0\nfile '${mp4}'\n`);
  await assert.rejects(probeVideo(list), isBadImage(/list\.mp4/));
});

test('an mp4 cut at 60%: the frames before the cut, then the early end reported', { skip: noFfmpeg }, async () => {
  const whole = join(tmp.dir, 'whole.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x48:d=4:r=10', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole);
  const bytes = readFileSync(whole);
  const cut = join(tmp.dir, 'cut.mp4');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  // the whole file: no early end
  let n = 0;
  for await (const f of readFrames(whole, { fps: 5 })) n += f.image.width > 0 ? 1 : 0;
  assert.ok(n >= 19, `${n} frames`);
  // the cut one: an error after its frames, or a call to onEarlyEnd
  let frames = 0;
  await assert.rejects(
    async () => {
      for await (const f of readFrames(cut, { fps: 5 })) frames += f.image.width > 0 ? 1 : 0;
    },
    isBadImage(/cut\.mp4: the video ends early, after [\d.]+ s of the 4\.0 s its header announces/),
  );
  assert.ok(frames < 19, `${frames} frames before the cut`);
  const ends: EarlyEnd[] = [];
  let frames2 = 0;
  for await (const f of readFrames(cut, { fps: 5, onEarlyEnd: (e) => ends.push(e) })) frames2 += f.image.width > 0 ? 1 : 0;
  assert.equal(frames2, frames);
  assert.equal(ends.length, 1);
  assert.equal(ends[0].expectedSeconds, 4);
  assert.ok(ends[0].seconds < 4);
});

// ---- videos that lie about their length, streams that never end, and ffmpeg's lifetime ----

const isCode = (code: string, message: RegExp) => (err: unknown) => err instanceof FerkitError && err.code === code && message.test(err.message);

test('claimedDuration: absent is unknown; negative, NaN, infinite or over 1e8 s is a lie, refused', () => {
  assert.ok(Number.isNaN(claimedDuration(undefined, 'a.mkv')));
  assert.ok(Number.isNaN(claimedDuration('N/A', 'a.mkv')));
  assert.equal(claimedDuration('4.000000', 'a.mkv'), 4);
  for (const raw of ['-5', 'nan', 'inf', '-inf', '1e12', '100000001', 'ten'])
    assert.throws(() => claimedDuration(raw, 'a.mkv'), isCode('BAD_IMAGE', /a\.mkv: its header claims a duration of .* s, which no video has; .*re-encode/));
});

test('durationTrust: a claim is believed only when the bytes bear it out', () => {
  assert.equal(durationTrust({ duration: 4, bytes: 20_000 }), 'trusted');
  assert.equal(durationTrust({ duration: 3600, bytes: 20_000_000 }), 'trusted');
  // 30 KB claiming 6e6 s: 0.04 bits a second
  assert.equal(durationTrust({ duration: 6e6, bytes: 30_000 }), 'implausible');
  assert.equal(durationTrust({ duration: 7200, bytes: 21_000 }), 'implausible');
  assert.equal(durationTrust({ duration: 7200 }), 'unverified');
  assert.equal(durationTrust({ duration: NaN, bytes: 1000 }), 'unknown');
});

test('a Matroska file whose header lies: 1e12 s and -5 s refused, 2 h in 4 s of video read to its real end and reported', { skip: noFfmpeg }, async () => {
  const real = matroskaVideo(4);
  const file = (name: string, seconds: number) => {
    const f = join(tmp.dir, name);
    writeFileSync(f, claimDuration(real, seconds));
    return f;
  };
  await assert.rejects(probeVideo(file('huge.mkv', 1e12)), isCode('BAD_IMAGE', /huge\.mkv: its header claims a duration of 1000000000000/));
  await assert.rejects(probeVideo(file('negative.mkv', -5)), isCode('BAD_IMAGE', /negative\.mkv: its header claims a duration of -5/));
  // NaN reaches ffprobe as no duration at all: a source of unknown length (a job reads it for its live-stream limit)
  assert.equal(durationTrust(await probeVideo(file('nan.mkv', NaN))), 'unknown');
  const twoHours = file('two-hours.mkv', 7200);
  const info = await probeVideo(twoHours);
  assert.equal(info.duration, 7200);
  assert.equal(durationTrust(info), 'implausible');
  const t0 = Date.now();
  const ends: EarlyEnd[] = [];
  let frames = 0;
  for await (const f of readFrames(twoHours, { fps: 5, onEarlyEnd: (e) => ends.push(e) }, info)) frames += f.image.width > 0 ? 1 : 0;
  assert.ok(frames >= 19 && frames <= 21, `${frames} frames`);
  assert.equal(ends.length, 1);
  assert.equal(ends[0].expectedSeconds, 7200);
  assert.ok(Math.abs(ends[0].seconds - 4) <= 0.4, `ended at ${ends[0].seconds} s`);
  assert.ok(Date.now() - t0 < 30_000, 'read in the time of its real length');
});

test('maxSeconds: reading stops at the limit and says so', { skip: noFfmpeg }, async () => {
  const f = join(tmp.dir, 'limit.mkv');
  writeFileSync(f, matroskaVideo(4));
  const limits: ReadLimit[] = [];
  let frames = 0;
  for await (const fr of readFrames(f, { fps: 5, maxSeconds: 1.2, onLimit: (l) => limits.push(l) })) frames += fr.image.width > 0 ? 1 : 0;
  assert.equal(frames, 6);
  assert.equal(limits.length, 1);
  assert.match(limits[0].message, /stopped after 1\.2 s, the most a reading may take/);
  await assert.rejects(readFrames(f, { maxSeconds: -1 }).next(), isCode('BAD_ARGUMENT', /maxSeconds must be above 0/));
});

/**
 * An HTTP server for `data` (MPEG-TS) that answers the first request (the
 * probe) at once, and later ones with `head` bytes and then one byte every
 * `everyMs` ms (never, with 0): a stream that trickles or stalls.
 */
async function tricklingServer(data: Buffer, head: number, everyMs: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    if (requests === 1) return void res.end(data);
    res.write(data.subarray(0, head));
    let at = head;
    if (everyMs > 0) {
      const t = setInterval(() => {
        if (res.destroyed || at >= data.length) return clearInterval(t);
        res.write(data.subarray(at, ++at));
      }, everyMs);
      timers.add(t);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/live-${process.pid}-${Date.now()}.ts`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        timers.forEach(clearInterval);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function mpegts(seconds: number): Buffer {
  const f = join(tmp.dir, `ts-${seconds}.ts`);
  ffmpeg('-f', 'lavfi', '-i', `testsrc=s=160x120:d=${seconds}:r=10`, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', f);
  return readFileSync(f);
}

test('a URL that answers the probe and then trickles bytes fails with TIMEOUT within the read timeout', { skip: noFfmpeg, timeout: 60_000 }, async () => {
  const server = await tricklingServer(mpegts(10), 2048, 100);
  try {
    const info = await probeVideo(server.url);
    const t0 = Date.now();
    let frames = 0;
    await assert.rejects(
      async () => {
        for await (const f of readFrames(server.url, { fps: 5, readTimeoutMs: 1000 }, info)) frames += f.image.width > 0 ? 1 : 0;
      },
      isCode('TIMEOUT', /no frame came for 1 s after \d+ frames; the stream stalled or sends too slowly/),
    );
    const took = Date.now() - t0;
    // the bound is the timeout plus ffmpeg's start: well under the trickle's 16 minutes
    assert.ok(took < 8000, `gave up after ${took} ms`);
    assert.ok(frames < 10, `${frames} frames`);
    assert.equal(server.requests(), 2);
  } finally {
    await server.close();
  }
});

/** Pids of the running processes whose command is `name` and whose arguments mention `token` (Linux: /proc). */
function processesOf(name: string, token: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return basename(argv[0]) === name && argv.some((a) => a.includes(token)) ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

test(
  'ffmpeg dies with its parent: a process reading a stalled stream is killed with SIGKILL, its ffmpeg is gone within seconds',
  { skip: noFfmpeg || (process.platform !== 'linux' && 'reads /proc'), timeout: 60_000 },
  async () => {
    const server = await tricklingServer(mpegts(2), 1024, 0);
    const token = new URL(server.url).pathname.slice(1);
    const script = join(tmp.dir, 'reader.mjs');
    const source = new URL('./source.js', import.meta.url).href;
    writeFileSync(
      script,
      `import { readFrames } from ${JSON.stringify(source)};\n` +
        `for await (const f of readFrames(${JSON.stringify(server.url)}, { readTimeoutMs: 600000 }, { width: 160, height: 120, duration: NaN, fps: 10 })) console.log(f.index);\n`,
    );
    const child = spawn(process.execPath, [script], { stdio: 'ignore' });
    try {
      let pids: number[] = [];
      for (let i = 0; i < 100 && !pids.length; i++) {
        await new Promise((r) => setTimeout(r, 100));
        pids = processesOf('ffmpeg', token);
      }
      assert.equal(pids.length, 1, 'ffmpeg started, reading the stream');
      // ffmpeg waits on the stalled stream, with nothing to write: it would not notice its parent's death by itself
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGKILL');
      const t0 = Date.now();
      while (processesOf('ffmpeg', token).length && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(processesOf('ffmpeg', token), [], 'ffmpeg outlived its parent by 5 s');
    } finally {
      child.kill('SIGKILL');
      for (const pid of processesOf('ffmpeg', token)) process.kill(pid, 'SIGKILL');
      await server.close();
    }
  },
);
