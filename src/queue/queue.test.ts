/**
 * The job queue against a real Redis (a redis-server of the test's own):
 * pictures through a worker, uploads removed once used, a bad
 * input failed at once with its code, and a transient failure retried.
 * The slower ones (videos cut into segments, workers killed, Redis
 * restarted) are in faults.test.ts, run by `npm run test:queue`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createRecognizer, type Recognizer } from '../node/index.js';
import { pictureRecord } from '../core/results.js';
import { EMOTIONS } from '../core/labels.js';
import { JobClient } from './client.js';
import { startWorker, type QueueWorker } from './worker.js';
import type { PicturesResult } from './jobs.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir } from '../../test/fixtures.js';
import { needsRedis, startRedis, type TestRedis } from '../../test/redis.js';

const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skip = needsRedis() || needs(join(MODEL, 'model.json'), 'the bundled paper model') || needs(PHOTOS, 'the photos in ../shared/data/photos');

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
  // the test's picture server is on loopback: allowed by name, so that 127.0.0.1 itself stays refused
  worker = await startWorker({ redis: redis.url, concurrency: 2, recognizer: { model: MODEL }, readRoots: [tmp.dir], allowHosts: 'localhost' });
  client = new JobClient({ redis: redis.url, defaults: { attempts: 3, backoffMs: 50 } });
  direct = await createRecognizer({ model: MODEL });
  // answers 503 twice, then the picture: a server that is briefly down
  const photo = readFileSync(join(PHOTOS, 'happy.jpg'));
  http = createServer((req, res) => {
    if (req.url === '/to-redis') return res.writeHead(302, { location: redis.url.replace(/^redis:/, 'http:') }).end();
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
  const id = await client.submitPictures([{ name: 'happy', url: `http://localhost:${port}/happy.jpg` }]);
  const s = await client.wait(id);
  assert.equal(s.state, 'completed', JSON.stringify(s.error));
  assert.equal(hits, 3);
  assert.ok((s.result as PicturesResult).pictures[0].faces.length >= 1);
});

test("a job URL at the queue's own Redis, directly or by a redirect, fails at once without a connection", { skip }, async () => {
  const { port } = http.address() as AddressInfo;
  const redisPort = new URL(redis.url).port;
  for (const url of [`http://127.0.0.1:${redisPort}/`, `http://localhost:${port}/to-redis`]) {
    const s = await client.wait(await client.submitPictures([{ name: 'probe', url }]));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.code, 'BAD_ARGUMENT', `${url}: ${s.error?.message}`);
    assert.match(s.error?.message ?? '', /127\.0\.0\.1 is a loopback address; fetching it on behalf of a job is refused/);
    assert.equal(s.attempts, 1, 'a refused address is not retried');
    const v = await client.wait(await client.submitVideo({ name: 'probe', url }));
    assert.equal(v.state, 'failed');
    assert.equal(v.error?.code, 'BAD_ARGUMENT');
    assert.equal(v.attempts, 1, 'a refused address is not retried');
  }
});
