/**
 * The queue with real processes: `ferkit worker` processes against a
 * redis-server of the test's own. A video cut into segments by two workers
 * and joined equals one reading of it; a worker killed with SIGKILL in the
 * middle of a job loses nothing (another takes the job over, and it
 * completes once); a Redis restart with persistence on loses no queued job.
 * Slow (tens of seconds): run by `npm run test:queue` (FERKIT_QUEUE_TESTS=1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createRecognizer, type Recognizer } from '../node/index.js';
import { analyzeVideo } from '../video/analyze.js';
import { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
import { hasFfmpeg } from '../video/source.js';
import { EMOTIONS } from '../core/labels.js';
import { JobClient } from './client.js';
import type { PicturesResult, VideoResult } from './jobs.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir, testVideo } from '../../test/fixtures.js';
import { needsRedis, startRedis } from '../../test/redis.js';

const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skip =
  (process.env.FERKIT_QUEUE_TESTS ? false : 'slow: run with `npm run test:queue` (FERKIT_QUEUE_TESTS=1)') ||
  needsRedis() ||
  (hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)') ||
  needs(join(MODEL, 'model.json'), 'the bundled paper model') ||
  needs(PHOTOS, 'the photos in ../shared/data/photos');

let tmp: { dir: string; cleanup: () => void };
let direct: Recognizer;
const children = new Set<ChildProcess>();

before(async () => {
  if (skip) return;
  tmp = tempDir();
  direct = await createRecognizer({ model: MODEL });
});
after(() => {
  if (skip) return;
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  direct?.dispose();
  tmp?.cleanup();
});

/** Starts `ferkit worker`; resolves once it is taking jobs. A frequent stalled check, so a dead worker's job moves on once its lock (`lockMs`) expires. */
function startWorkerProcess(redisUrl: string, lockMs = 30_000): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'ferkit.js'),
      'worker',
      '--redis',
      redisUrl,
      '--model',
      MODEL,
      '--lock-ms',
      String(lockMs),
      '--stalled-ms',
      '1000',
      '--read',
      tmp.dir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(child);
  let text = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/ferkit worker: ready/.test(text)) resolve({ child, log: () => text });
    });
    child.once('exit', (code, signal) => reject(new Error(`ferkit worker exited (${signal ?? code}) before it was ready: ${text}`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** A video of `seconds` of an angry face then as long of a surprised one, framed the same way. */
function makeVideo(name: string, seconds: number): string {
  const scenes = ['angry_cropped.jpg', 'surprised_cropped.jpg'].map((p) => ({ picture: join(PHOTOS, p), seconds }));
  return testVideo(join(tmp.dir, name), scenes, { width: 320, height: 320, fps: 10 });
}

test('a video cut into 5 segments, analysed by two worker processes and joined, equals one reading of it', { skip, timeout: 300_000 }, async () => {
  const redis = await startRedis();
  const client = new JobClient({ redis: redis.url });
  const workers = await Promise.all([startWorkerProcess(redis.url), startWorkerProcess(redis.url)]);
  try {
    const file = makeVideo('change.mp4', 2);
    const progress: number[] = [];
    // every frame searched (detectEvery 0): each segment is followed on its own, so only searching every frame gives one reading's results
    const id = await client.submitVideo({ name: 'change.mp4', bytes: readFileSync(file) }, { fps: 2.5, segmentSeconds: 0.8, detectEvery: 0 });
    const s = await client.wait(id, (p) => progress.push(p.done));
    assert.equal(s.state, 'completed', `${JSON.stringify(s.error)}\n${workers.map((w) => w.log()).join('\n')}`);
    const joined = s.result as VideoResult;
    assert.equal(joined.segments, 5);
    // both processes took segments (each logs the segments it did)
    for (const w of workers) assert.match(w.log(), /segment \S+-s\d: done/);

    const timeline: FrameRecord[] = [];
    const one = await analyzeVideo(direct, file, {
      fps: 2.5,
      tracking: false,
      onFrameFaces: (_frame, faces) => {
        for (const { entry, face } of faces) timeline.push(frameRecord(entry, smoothedFace(entry, face, 0.5)));
      },
    });
    // seeking decodes from the keyframe before and drops frames up to the cut: the same pixels as one reading, so
    // the results agree up to the engine's float rounding: within 1e-3 on probabilities and 0.5 px on boxes, frames,
    // times and track ids exactly
    assert.equal(joined.timeline.length, timeline.length);
    for (const [i, a] of joined.timeline.entries()) {
      const b = timeline[i];
      assert.deepEqual([a.frame, a.time, a.faceId], [b.frame, b.time, b.faceId]);
      assert.ok(Math.abs(a.box.x - b.box.x) <= 0.5 && Math.abs(a.box.width - b.box.width) <= 0.5, `frame ${a.frame} box`);
      for (const e of EMOTIONS) assert.ok(Math.abs(a.emotions[e] - b.emotions[e]) <= 1e-3, `frame ${a.frame} ${e}`);
    }
    const sj = joined.summary;
    assert.equal(sj.file, 'change.mp4');
    assert.equal(sj.faces.length, 1, 'one track across the segment boundaries');
    assert.deepEqual([sj.framesAnalysed, sj.framesWithFaces, sj.dominant], [one.framesAnalysed, one.framesWithFaces, one.dominant]);
    assert.deepEqual(
      sj.faces.map((f) => [f.faceId, f.frames, f.firstSeen, f.lastSeen, f.dominant, f.segments.map((g) => g.emotion).join()]),
      one.faces.map((f) => [f.faceId, f.frames, f.firstSeen, f.lastSeen, f.dominant, f.segments.map((g) => g.emotion).join()]),
    );
    for (const e of EMOTIONS) assert.ok(Math.abs(sj.overall[e] - one.overall[e]) <= 1e-9);
    assert.ok(Math.abs(sj.strongestChanges[0].time - one.strongestChanges[0].time) <= 0.4);
    assert.ok(progress.length >= 1 && progress.every((d) => d <= sj.framesAnalysed));
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w.child)));
    await client.close();
    await redis.cleanup();
  }
});

test('a worker killed with SIGKILL in the middle of a job: another takes it over, and it completes exactly once', { skip, timeout: 300_000 }, async () => {
  const redis = await startRedis();
  const client = new JobClient({ redis: redis.url });
  const events = new QueueEvents('ferkit', { connection: { host: '127.0.0.1', port: redis.port } });
  let b: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    await events.waitUntilReady();
    const file = makeVideo('long.mp4', 3);
    const a = await startWorkerProcess(redis.url, 10_000);
    // analysed whole (one segment), 10 frames a second: many frames to be in the middle of
    const id = await client.submitVideo({ name: 'long.mp4', bytes: readFileSync(file) }, { fps: 10, segmentSeconds: 60 });
    const completions: string[] = [];
    events.on('completed', ({ jobId }) => completions.push(jobId));
    const started = new Promise<void>((resolve, reject) => {
      client
        .subscribe(id, (e) => {
          if (e.type === 'progress') resolve();
        })
        .catch(reject);
    });
    await started;
    const killed = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGKILL');
    await killed;
    b = await startWorkerProcess(redis.url, 10_000);
    const s = await client.wait(id);
    assert.equal(s.state, 'completed', JSON.stringify(s.error));
    const r = s.result as VideoResult;
    assert.equal(r.summary.framesAnalysed, 60);
    assert.equal(r.timeline.length, 60);
    const job = await client.queue.getJob(id);
    assert.ok(job!.stalledCounter >= 1, 'the job was taken over from the killed worker');
    // and completed once: one completion event, one "done" line in the new worker's log
    const more = await client.ping();
    await client.wait(more).catch(() => undefined);
    await new Promise<void>((resolve) => (completions.includes(more) ? resolve() : events.on('completed', ({ jobId }) => jobId === more && resolve())));
    assert.equal(completions.filter((c) => c === id).length, 1);
    assert.equal(
      b
        .log()
        .split('\n')
        .filter((l) => l.includes(`video ${id}: done`)).length,
      1,
    );
  } finally {
    if (b) await stopWorker(b.child);
    await events.close();
    await client.close();
    await redis.cleanup();
  }
});

test('a Redis restart with persistence on (appendonly) loses no queued job; a running worker carries on after it', { skip, timeout: 300_000 }, async () => {
  const redis = await startRedis({ appendonly: true });
  let client = new JobClient({ redis: redis.url });
  let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    const photo = readFileSync(join(PHOTOS, 'happy.jpg'));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await client.submitPictures([{ name: `happy-${i}.jpg`, bytes: photo }]));
    await client.close();
    await redis.stop();
    await redis.restart();
    client = new JobClient({ redis: redis.url });
    const r = new Redis(redis.url);
    assert.equal(await r.llen('bull:ferkit:wait'), 6, 'the queued jobs are back');
    r.disconnect();
    worker = await startWorkerProcess(redis.url);
    for (const id of ids) {
      const s = await client.wait(id);
      assert.equal(s.state, 'completed', JSON.stringify(s.error));
      assert.equal((s.result as PicturesResult).pictures[0].faces.length, 1);
    }
    // restarted under a running worker: it reconnects and takes new jobs
    await client.close();
    await redis.stop();
    await redis.restart();
    client = new JobClient({ redis: redis.url });
    const after = await client.submitPictures([{ name: 'after.jpg', bytes: photo }]);
    assert.equal((await client.wait(after)).state, 'completed');
  } finally {
    if (worker) await stopWorker(worker.child);
    await client.close();
    await redis.cleanup();
  }
});
