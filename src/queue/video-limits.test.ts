/**
 * Video jobs against videos that lie and workers that are stopped: a claim
 * over the job limit fails at once with no segment made; a claim the file's
 * size does not bear out is read once, whole, and reported as ending early;
 * segments past the real end are not fetched; a live stream is read for its
 * limit; SIGTERM hands the job back within seconds; a SIGKILLed worker's
 * ffmpeg dies with it and its temporary folder is removed by the next worker.
 *
 * Slow: run by `npm run test:queue` (FERKIT_QUEUE_TESTS=1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { basename, join } from 'node:path';
import { hasFfmpeg } from '../video/source.js';
import { JobClient } from './client.js';
import type { VideoResult } from './jobs.js';
import { startWorker, type QueueWorker } from './worker.js';
import { PROJECT_ROOT, needs, tempDir } from '../../test/fixtures.js';
import { needsRedis, startRedis, type TestRedis } from '../../test/redis.js';
import { claimDuration, matroskaVideo } from '../../test/lying-video.js';

const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skip =
  (process.env.FERKIT_QUEUE_TESTS ? false : 'slow: run with `npm run test:queue` (FERKIT_QUEUE_TESTS=1)') ||
  needsRedis() ||
  (hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)') ||
  needs(join(MODEL, 'model.json'), 'the bundled paper model');

let redis: TestRedis;
let worker: QueueWorker;
let client: JobClient;
let http: Server;
let tmp: { dir: string; cleanup: () => void };
const files = new Map<string, Buffer>();
const hits = new Map<string, number>();
const children = new Set<ChildProcess>();

before(async () => {
  if (skip) return;
  tmp = tempDir();
  redis = await startRedis();
  worker = await startWorker({
    redis: redis.url,
    concurrency: 1,
    recognizer: { model: MODEL },
    allowHosts: '127.0.0.1',
    videoLimits: { maxLiveSeconds: 2, readTimeoutMs: 5000 },
  });
  client = new JobClient({ redis: redis.url, defaults: { attempts: 1 } });
  http = createServer((req, res) => {
    const name = basename(req.url ?? '');
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const data = files.get(name);
    if (!data) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'video/x-matroska', 'content-length': data.length }).end(data);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
});
after(async () => {
  if (skip) return;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await client?.close();
  await worker?.close();
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
  await redis?.cleanup();
  tmp?.cleanup();
});

const url = (name: string, data: Buffer) => {
  files.set(name, data);
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/${name}`;
};

async function segmentJobs(): Promise<number> {
  const jobs = await client.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'waiting-children']);
  return jobs.filter((j) => j?.name === 'segment').length;
}

test('a 21 KB video claiming 6e6 s, or 1e12 s, fails at once with BAD_IMAGE: no segment is made, Redis stays small', { skip, timeout: 120_000 }, async () => {
  const real = matroskaVideo(4);
  const t0 = Date.now();
  const liar = await client.wait(await client.submitVideo({ name: 'liar.mkv', bytes: claimDuration(real, 6e6) }));
  assert.equal(liar.state, 'failed');
  assert.equal(liar.error?.code, 'BAD_IMAGE');
  assert.match(liar.error?.message ?? '', /liar\.mkv: its header claims 1666 h 40 min, over the 4 h 0 min a job may analyse/);
  const huge = await client.wait(await client.submitVideo({ name: 'huge.mkv', bytes: claimDuration(real, 1e12) }));
  assert.equal(huge.state, 'failed');
  assert.equal(huge.error?.code, 'BAD_IMAGE');
  assert.match(huge.error?.message ?? '', /which no video has/);
  assert.ok(Date.now() - t0 < 30_000, `${Date.now() - t0} ms`);
  assert.equal(await segmentJobs(), 0);
  const r = await redisInfo();
  assert.ok(r < 20e6, `Redis holds ${r} bytes`);
});

async function redisInfo(): Promise<number> {
  const r = new Redis(redis.url);
  try {
    return Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1]);
  } finally {
    r.disconnect();
  }
}

test('a URL claiming 2 h with 4 s of video: read once, whole, and the result says where it ended', { skip, timeout: 120_000 }, async () => {
  const u = url('two-hours.mkv', claimDuration(matroskaVideo(4), 7200));
  const s = await client.wait(await client.submitVideo({ name: 'two-hours.mkv', url: u }, { fps: 5 }));
  assert.equal(s.state, 'completed', JSON.stringify(s.error));
  const result = s.result as VideoResult;
  assert.equal(result.segments, 1);
  assert.ok(result.summary.endedEarly, 'ended early');
  assert.equal(result.summary.endedEarly.expectedSeconds, 7200);
  assert.ok(Math.abs(result.summary.endedEarly.seconds - 4) <= 0.4, `${result.summary.endedEarly.seconds} s`);
  assert.ok(result.summary.framesAnalysed >= 19 && result.summary.framesAnalysed <= 21);
  assert.ok((hits.get('two-hours.mkv') ?? 0) <= 2, `${hits.get('two-hours.mkv')} fetches`);
});

test(
  'a believable claim (60 s) with 4 s of video: 12 segments, those past the end are not fetched; the join says where it ended',
  { skip, timeout: 300_000 },
  async () => {
    const noisy = matroskaVideo(4, { width: 320, height: 240, noise: true });
    const u = url('noise.mkv', claimDuration(noisy, 60));
    const s = await client.wait(await client.submitVideo({ name: 'noise.mkv', url: u }, { fps: 5, segmentSeconds: 5 }));
    assert.equal(s.state, 'completed', JSON.stringify(s.error));
    const result = s.result as VideoResult;
    assert.equal(result.segments, 12);
    assert.ok(result.summary.endedEarly, 'ended early');
    assert.ok(Math.abs(result.summary.endedEarly.seconds - 4) <= 0.4, `${result.summary.endedEarly.seconds} s`);
    assert.equal(result.summary.endedEarly.expectedSeconds, 60);
    assert.ok(result.summary.framesAnalysed >= 19 && result.summary.framesAnalysed <= 21);
    // the plan's fetch and the first segment's; the 11 segments after the end fetch nothing
    assert.ok((hits.get('noise.mkv') ?? 0) <= 3, `${hits.get('noise.mkv')} fetches for 12 segments`);
  },
);

test('a source without a duration (a live stream) is read for the live limit, and the result says so', { skip, timeout: 120_000 }, async () => {
  const s = await client.wait(await client.submitVideo({ name: 'live.mkv', bytes: claimDuration(matroskaVideo(6), NaN) }, { fps: 5 }));
  assert.equal(s.state, 'completed', JSON.stringify(s.error));
  const { summary } = s.result as VideoResult;
  assert.equal(summary.framesAnalysed, 10);
  assert.equal(summary.stopped, true);
  assert.match(summary.limit?.message ?? '', /stopped after 2\.0 s, the most a reading may take/);
});

/** `ferkit worker` on queue `queue`; resolves once it is taking jobs. */
function workerProcess(queue: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, 'bin', 'ferkit.js'), 'worker', '--redis', redis.url, '--queue', queue, '--model', MODEL, '--lock-ms', '30000', '--stalled-ms', '1000'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(child);
  let text = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/ferkit worker: ready/.test(text)) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`ferkit worker exited (${signal ?? code}) before it was ready: ${text}`)));
  });
}

/** Pids of ffmpeg processes whose arguments mention `token` (Linux: /proc). */
function ffmpegs(token: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return basename(argv[0]) === 'ffmpeg' && argv.some((a) => a.includes(token)) ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

const scratchOf = (pid: number) => readdirSync(tmpdir()).filter((n) => new RegExp(`^ferkit-job-[0-9a-f]{8}-${pid}-`).test(n));

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  'SIGTERM: the worker stops within seconds and hands its video back; SIGKILL: its ffmpeg dies with it, and the next worker removes its files',
  { skip: skip || (process.platform !== 'linux' && 'reads /proc'), timeout: 300_000 },
  async () => {
    const queue = 'stopping';
    const long = join(tmp.dir, 'long.mp4');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=320x240:d=300:r=10', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', long]);
    assert.equal(made.status, 0, made.stderr.toString());
    const c = new JobClient({ redis: redis.url, queue, defaults: { attempts: 3 } });
    try {
      const id = await c.submitVideo({ name: 'long.mp4', bytes: readFileSync(long) }, { fps: 5, segmentSeconds: 3600 });
      const first = await workerProcess(queue);
      await until(async () => ((await c.status(id))?.progress as { done?: number } | undefined)?.done !== undefined, 'the job to be under way');
      assert.equal(scratchOf(first.pid!).length, 1, 'the upload written for ffmpeg');
      const exited = new Promise((r) => first.once('exit', r));
      const t0 = Date.now();
      first.kill('SIGTERM');
      await exited;
      assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
      assert.equal(first.exitCode, 0);
      assert.deepEqual(scratchOf(first.pid!), [], 'its temporary folder removed');
      const job = await c.queue.getJob(id);
      assert.equal(await job!.getState(), 'waiting');
      assert.equal(job!.attemptsMade, 0, 'handed back, not failed');

      // the next worker takes it; killed with SIGKILL, its ffmpeg goes with it and its folder stays behind
      const second = await workerProcess(queue);
      await until(() => scratchOf(second.pid!).length === 1 && ffmpegs(`ferkit-job-`).length > 0, 'the second worker to read the video');
      const token = scratchOf(second.pid!)[0];
      assert.equal(ffmpegs(token).length, 1);
      second.kill('SIGKILL');
      await until(() => ffmpegs(token).length === 0, 'its ffmpeg to end', 5000);
      assert.ok(existsSync(join(tmpdir(), token)), 'a killed worker cannot clean up');
      // a new worker removes the folder of the dead one
      const third = await startWorker({ redis: redis.url, queue: 'elsewhere', recognizer: { model: MODEL } });
      await third.close();
      assert.ok(!existsSync(join(tmpdir(), token)), 'removed by the next worker to start');
    } finally {
      await c.queue.obliterate({ force: true }).catch(() => {});
      await c.close();
    }
  },
);

test(
  'close() while a URL trickles in: the download stops, the worker closes within seconds, the job goes back to the queue',
  { skip, timeout: 120_000 },
  async () => {
    const queue = 'trickle';
    let connected = false;
    let closedByWorker = false;
    const timers = new Set<NodeJS.Timeout>();
    const slow = createServer((_req, res) => {
      connected = true;
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      const t = setInterval(() => res.write(Buffer.alloc(1)), 100);
      timers.add(t);
      res.on('close', () => {
        closedByWorker = true;
        clearInterval(t);
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const w = await startWorker({ redis: redis.url, queue, recognizer: { model: MODEL }, allowHosts: '127.0.0.1' });
    const c = new JobClient({ redis: redis.url, queue, defaults: { attempts: 3 } });
    try {
      const id = await c.submitVideo({ name: 'trickle.ts', url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/trickle.ts` });
      await until(() => connected, 'the download to start');
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      await w.close();
      assert.ok(Date.now() - t0 < 5000, `closed in ${Date.now() - t0} ms`);
      await until(() => closedByWorker, 'the download to be dropped', 5000);
      const job = await c.queue.getJob(id);
      assert.equal(await job!.getState(), 'waiting');
      assert.equal(job!.attemptsMade, 0);
    } finally {
      timers.forEach(clearInterval);
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
      await c.queue.obliterate({ force: true }).catch(() => {});
      await c.close();
    }
  },
);

test('a job URL that answers and then trickles bytes fails with TIMEOUT within the read timeout, not after hours', { skip, timeout: 120_000 }, async () => {
  const timers = new Set<NodeJS.Timeout>();
  const slow = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/x-matroska' });
    res.write(matroskaVideo(1).subarray(0, 4096));
    const t = setInterval(() => res.write(Buffer.alloc(1)), 100);
    timers.add(t);
    res.on('close', () => clearInterval(t));
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  try {
    const t0 = Date.now();
    const s = await client.wait(await client.submitVideo({ name: 'trickle.mkv', url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/t.mkv` }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.code, 'TIMEOUT');
    assert.match(s.error?.message ?? '', /trickle\.mkv: the server sent less than 16 KiB in 5 s; it stalled or sends too slowly/);
    // the worker's read timeout is 5 s: one window, and the job's one attempt
    assert.ok(Date.now() - t0 < 20_000, `${Date.now() - t0} ms`);
  } finally {
    timers.forEach(clearInterval);
    slow.closeAllConnections();
    await new Promise((r) => slow.close(r));
  }
});
