/**
 * The job queue against a real Redis (a redis-server of the test's own):
 * pictures and videos through a worker, uploads removed once used, a bad
 * input failed at once with its code, a transient failure retried, and a
 * video cut into segments joined into the timeline of one reading.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRecognizer, type Recognizer } from '../node/recognizer.js';
import { pictureRecord } from '../results.js';
import { analyzeVideo } from '../video/analyze.js';
import { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
import { hasFfmpeg } from '../video/source.js';
import { EMOTIONS } from '../labels.js';
import { JobClient } from './client.js';
import { startWorker, type QueueWorker } from './worker.js';
import type { PicturesResult, VideoResult } from './jobs.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir } from '../../test/fixtures.js';
import { needsRedis, startRedis, type TestRedis } from '../../test/redis.js';

const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skip = needsRedis() || needs(join(MODEL, 'model.json'), 'the bundled paper model') || needs(PHOTOS, 'the photos in ../shared/data/photos');
const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';

let redis: TestRedis;
let worker: QueueWorker;
let client: JobClient;
let direct: Recognizer;
let tmp: { dir: string; cleanup: () => void };
let http: Server;
let hits = 0;

before(async () => {
  if (skip) return;
  tmp = tempDir();
  redis = await startRedis();
  worker = await startWorker({ redis: redis.url, concurrency: 2, recognizer: { model: MODEL }, readRoots: [tmp.dir] });
  client = new JobClient({ redis: redis.url, defaults: { attempts: 3, backoffMs: 50 } });
  direct = await createRecognizer({ model: MODEL });
  // answers 503 twice, then the picture: a server that is briefly down
  const photo = readFileSync(join(PHOTOS, 'happy.jpg'));
  http = createServer((_req, res) => {
    hits++;
    if (hits <= 2) res.writeHead(503).end('busy');
    else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
});

after(async () => {
  if (skip) return;
  await client?.close();
  await worker?.close();
  direct?.dispose();
  http?.close();
  await redis?.cleanup();
  tmp?.cleanup();
});

const blobs = async () => {
  const r = new Redis(redis.url);
  try {
    return await r.keys('ferkit:*:blob:*');
  } finally {
    r.disconnect();
  }
};

/** Waits (event-driven, bounded) until `check` holds. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a picture job gives what predict gives; its upload is gone from Redis once done, and never was in the job', { skip }, async () => {
  const file = join(PHOTOS, 'angry.jpg');
  const id = await client.submitPictures([{ name: 'angry.jpg', bytes: readFileSync(file) }]);
  const job = await client.queue.getJob(id);
  assert.ok(JSON.stringify(job!.data).length < 500, 'the job holds a reference, not the bytes');
  const s = await client.wait(id);
  assert.equal(s.state, 'completed', JSON.stringify(s.error));
  const result = s.result as PicturesResult;
  const expected = pictureRecord('angry.jpg', await direct.recognize(file));
  assert.equal(result.pictures.length, 1);
  assert.equal(result.pictures[0].faces.length, expected.faces.length);
  for (const [i, f] of result.pictures[0].faces.entries()) {
    assert.equal(f.emotion, expected.faces[i].emotion);
    for (const e of EMOTIONS) assert.ok(Math.abs(f.emotions[e] - expected.faces[i].emotions[e]) < 1e-3);
  }
  assert.deepEqual(s.progress, { done: 1, total: 1, unit: 'pictures' });
  await eventually(async () => (await blobs()).length === 0, 'the upload to be deleted');
});

test('several pictures: a bad one is reported in its place; a lone bad picture fails at once with its code, not retried', { skip }, async () => {
  const junk = join(tmp.dir, 'junk.jpg');
  writeFileSync(junk, 'not a picture');
  const id = await client.submitPictures([
    { name: 'happy.jpg', path: join(tmp.dir, '..', '..', 'etc', 'passwd') },
    { name: 'junk.jpg', path: junk },
    { name: 'sad.jpg', bytes: readFileSync(join(PHOTOS, 'sad.jpg')) },
  ]);
  const s = await client.wait(id);
  assert.equal(s.state, 'completed');
  const pictures = (s.result as PicturesResult).pictures;
  assert.deepEqual(
    pictures.map((p) => p.error?.code ?? 'ok'),
    ['BAD_ARGUMENT', 'BAD_IMAGE', 'ok'],
  );
  assert.ok(pictures[2].faces.length >= 1);

  const bad = await client.submitPictures([{ name: 'junk.jpg', bytes: Buffer.from('not a picture') }]);
  const f = await client.wait(bad);
  assert.equal(f.state, 'failed');
  assert.equal(f.error?.code, 'BAD_IMAGE');
  assert.equal(f.attempts, 1, 'a bad input is not retried');
  await eventually(async () => (await blobs()).length === 0, 'the upload of the failed job to be deleted');
});

test('a transient failure (the server answers 503) is retried with backoff until it succeeds', { skip }, async () => {
  const { port } = http.address() as AddressInfo;
  const id = await client.submitPictures([{ name: 'happy', url: `http://127.0.0.1:${port}/happy.jpg` }]);
  const s = await client.wait(id);
  assert.equal(s.state, 'completed', JSON.stringify(s.error));
  assert.equal(hits, 3);
  assert.ok((s.result as PicturesResult).pictures[0].faces.length >= 1);
});

test('a video cut into 4 segments and joined equals one reading of it: one track across the cuts, same timeline and summary', { skip: skip || noFfmpeg }, async () => {
  // 2 s of an angry face, then 2 s of a surprised one framed the same way
  const file = join(tmp.dir, 'change.mp4');
  const p = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y', '-loop', '1', '-t', '2', '-i', join(PHOTOS, 'angry_cropped.jpg'), '-loop', '1', '-t', '2', '-i', join(PHOTOS, 'surprised_cropped.jpg')],
      ...['-filter_complex', '[0:v]scale=320:320,setsar=1,fps=10[a];[1:v]scale=320:320,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]'],
      ...['-map', '[v]', '-pix_fmt', 'yuv420p', file],
    ],
    { encoding: 'utf8' },
  );
  assert.equal(p.status, 0, p.stderr);
  const progress: number[] = [];
  const id = await client.submitVideo({ name: 'change.mp4', bytes: readFileSync(file) }, { fps: 5, segmentSeconds: 1 });
  const s = await client.wait(id, (p) => progress.push(p.done));
  assert.equal(s.state, 'completed', JSON.stringify(s.error));
  const joined = s.result as VideoResult;
  assert.equal(joined.segments, 4);

  const timeline: FrameRecord[] = [];
  const one = await analyzeVideo(direct, file, {
    fps: 5,
    onFrameFaces: (_frame, faces) => {
      for (const { entry, face } of faces) timeline.push(frameRecord(entry, smoothedFace(entry, face, 0.5)));
    },
  });
  // the frames are the same pixels (seeking decodes from the keyframe before), so the results agree up to the
  // engine's float rounding: tolerance 1e-3 on probabilities, 0.5 px on boxes, frames and ids exactly
  assert.equal(joined.timeline.length, timeline.length);
  for (const [i, a] of joined.timeline.entries()) {
    const b = timeline[i];
    assert.deepEqual([a.frame, a.time, a.faceId], [b.frame, b.time, b.faceId]);
    assert.ok(Math.abs(a.box.x - b.box.x) <= 0.5 && Math.abs(a.box.width - b.box.width) <= 0.5, `frame ${a.frame} box`);
    for (const e of EMOTIONS) assert.ok(Math.abs(a.emotions[e] - b.emotions[e]) <= 1e-3, `frame ${a.frame} ${e}`);
  }
  const sj = joined.summary;
  assert.equal(sj.file, 'change.mp4');
  assert.deepEqual([sj.framesAnalysed, sj.framesWithFaces, sj.faces.length, sj.dominant], [one.framesAnalysed, one.framesWithFaces, one.faces.length, one.dominant]);
  assert.deepEqual(
    sj.faces.map((f) => [f.faceId, f.frames, f.firstSeen, f.lastSeen, f.dominant]),
    one.faces.map((f) => [f.faceId, f.frames, f.firstSeen, f.lastSeen, f.dominant]),
  );
  assert.deepEqual(
    sj.faces[0].segments.map((g) => g.emotion),
    one.faces[0].segments.map((g) => g.emotion),
  );
  assert.ok(Math.abs(sj.strongestChanges[0].time - one.strongestChanges[0].time) <= 0.2);
  assert.equal(sj.faces.length, 1, 'one track across the segment boundaries');
  assert.ok(progress.length >= 1 && progress.every((d) => d <= sj.framesAnalysed));
  await eventually(async () => (await blobs()).length === 0, 'the video upload to be deleted');
});
