/**
 * The job queue: empty jobs per second through BullMQ (the queue's own cost
 * per job), pictures per second with 1 and 2 `ferkit worker` processes, and
 * a video cut into segments analysed by 1 and by 2 workers, against a
 * redis-server of its own on loopback (or --redis URL). Medians of
 * --repeats runs. Prints a table and writes it as JSON. A benchmark, not a test.
 *
 *   npm run bench:queue [-- --repeats 3 --pictures 16 --pings 2000 --video-seconds 8 --out bench-queue.json]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { QueueEvents } from 'bullmq';
import { PROJECT_ROOT, SHARED_DATA, tempDir } from '../test/fixtures.js';
import { startRedis } from '../test/redis.js';
import { cpuDescription } from './timing.js';
import { JobClient, type VideoResult } from '../src/queue/index.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    pictures: { type: 'string', default: '16' },
    pings: { type: 'string', default: '2000' },
    'video-seconds': { type: 'string', default: '8' },
    redis: { type: 'string' },
    out: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
const pictureCount = Number(values.pictures);
const pingCount = Number(values.pings);
const videoSeconds = Number(values['video-seconds']);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const own = values.redis ? undefined : await startRedis();
const redisUrl = values.redis ?? own!.url;
const tmp = tempDir('ferkit-bench-queue-');

/** Starts `ferkit worker` processes; resolves once each is taking jobs. */
async function workers(n: number, concurrency: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [join(PROJECT_ROOT, 'bin', 'ferkit.js'), 'worker', '--redis', redisUrl, '--concurrency', String(concurrency), '--queue', 'bench'],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          );
          let err = '';
          child.stderr!.on('data', (d: Buffer) => {
            err += d.toString();
            if (/ferkit worker: ready/.test(err)) resolve(child);
          });
          child.once('exit', (code) => reject(new Error(`ferkit worker exited (${code}): ${err}`)));
        }),
    ),
  );
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((c) => {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      return exited;
    }),
  );
}

const client = new JobClient({ redis: redisUrl, queue: 'bench', defaults: { keepSeconds: 600 } });
const events = new QueueEvents('bench', { connection: { ...parseRedis(redisUrl) } });
await events.waitUntilReady();

function parseRedis(url: string): { host: string; port: number; password?: string } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), ...(u.password ? { password: decodeURIComponent(u.password) } : {}) };
}

/** Seconds from the first submission to the last completion of `submit`'s jobs. */
async function timed(count: number, submit: () => Promise<string[]>): Promise<number> {
  let done = 0;
  let resolveAll = () => {};
  const all = new Promise<void>((r) => (resolveAll = r));
  const ids = new Set<string>();
  const early: string[] = [];
  const onCompleted = ({ jobId }: { jobId: string }) => {
    if (ids.size === 0) early.push(jobId);
    if (ids.has(jobId) && ++done === count) resolveAll();
  };
  events.on('completed', onCompleted);
  const t0 = performance.now();
  for (const id of await submit()) ids.add(id);
  for (const id of early) if (ids.has(id) && ++done === count) resolveAll();
  await all;
  const seconds = (performance.now() - t0) / 1000;
  events.off('completed', onCompleted);
  return seconds;
}

interface Row {
  what: string;
  setup: string;
  median: number;
  unit: string;
  runs: number[];
}
const rows: Row[] = [];
const record = (what: string, setup: string, unit: string, runs: number[]) => {
  rows.push({ what, setup, median: median(runs), unit, runs });
  console.error(`${what}, ${setup}: ${median(runs).toFixed(1)} ${unit} (runs: ${runs.map((r) => r.toFixed(1)).join(', ')})`);
};

try {
  // 1. the queue's own cost: empty jobs, answered at once
  for (const [n, concurrency] of [
    [1, 1],
    [1, 16],
  ] as const) {
    const w = await workers(n, concurrency);
    try {
      const runs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const seconds = await timed(pingCount, async () => {
          const ids: string[] = [];
          for (let i = 0; i < pingCount; i++) ids.push(await client.ping());
          return ids;
        });
        runs.push(pingCount / seconds);
      }
      record('empty jobs', `${n} worker, concurrency ${concurrency}; jobs added one at a time`, 'jobs/s', runs);
    } finally {
      await stop(w);
    }
  }

  // 2. pictures: a one-face 640x480 JPEG, uploaded with each job
  const photo = await sharp(readFileSync(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg')))
    .resize(640, 480, { fit: 'cover' })
    .jpeg({ quality: 90 })
    .toBuffer();
  for (const n of [1, 2]) {
    const w = await workers(n, 1);
    try {
      const runs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const seconds = await timed(pictureCount, () =>
          Promise.all(Array.from({ length: pictureCount }, (_, i) => client.submitPictures([{ name: `p${i}.jpg`, bytes: photo }]))),
        );
        runs.push(pictureCount / seconds);
      }
      record('pictures', `${n} worker${n > 1 ? 's' : ''}, concurrency 1`, 'pictures/s', runs);
    } finally {
      await stop(w);
    }
  }

  // 3. a video: one face, `videoSeconds` long, sampled at 5 fps, in 4 segments
  const video = join(tmp.dir, 'talk.mp4');
  const half = String(videoSeconds / 2);
  const photos = join(SHARED_DATA, 'photos', 'faceapi-examples');
  const p = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y', '-loop', '1', '-t', half, '-i', join(photos, 'angry.jpg'), '-loop', '1', '-t', half, '-i', join(photos, 'happy.jpg')],
      ...['-filter_complex', '[0:v]scale=640:360,setsar=1,fps=25[a];[1:v]scale=640:360,setsar=1,fps=25[b];[a][b]concat=n=2:v=1[v]'],
      ...['-map', '[v]', '-pix_fmt', 'yuv420p', video],
    ],
    { encoding: 'utf8' },
  );
  if (p.status !== 0) throw new Error(`ffmpeg: ${p.stderr}`);
  const bytes = readFileSync(video);
  for (const [n, segmentSeconds, setup] of [
    [1, 3600, '1 worker, whole video in one job'],
    [1, videoSeconds / 4, '1 worker, 4 segments'],
    [2, videoSeconds / 4, '2 workers, 4 segments'],
  ] as const) {
    const w = await workers(n, 1);
    try {
      const runs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        let id = '';
        const seconds = await timed(1, async () => [(id = await client.submitVideo({ name: 'talk.mp4', bytes }, { fps: 5, segmentSeconds }))]);
        const s = await client.status(id);
        if ((s?.result as VideoResult | undefined)?.summary.framesAnalysed !== videoSeconds * 5)
          throw new Error(`video job: ${JSON.stringify(s?.error ?? s?.state)}`);
        runs.push(seconds);
      }
      record(`video ${videoSeconds} s, 640x360, 5 fps`, setup, 's', runs);
    } finally {
      await stop(w);
    }
  }
} finally {
  await events.close();
  await client.close();
  await own?.cleanup();
  tmp.cleanup();
}

const cpu = cpuDescription();
console.log(`ferkit worker on Redis (${values.redis ? 'given' : 'redis-server on loopback'}); medians of ${repeats} run(s); ${cpu}`);
console.log(['measure', 'setup', 'median', 'unit'].join(' | '));
for (const r of rows) console.log([r.what, r.setup, r.median.toFixed(1), r.unit].join(' | '));
if (values.out) writeFileSync(values.out, JSON.stringify({ cpu, repeats, rows }, null, 2) + '\n');
