/** The service's job routes against a real Redis and a worker: queue a picture, follow it, read its result. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRecognizer, type Recognizer } from '../node/index.js';
import { JobClient } from '../queue/client.js';
import { startWorker, type QueueWorker } from '../queue/worker.js';
import type { PicturesResult, VideoJobData } from '../queue/jobs.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createServer, SECURITY_HEADERS } from './server.js';
import { PROJECT_ROOT } from '../../test/fixtures.js';
import { needsRedis, startRedis, type TestRedis } from '../../test/redis.js';

const PHOTO = readFileSync(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'));
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skip = needsRedis();

let redis: TestRedis;
let worker: QueueWorker;
let jobs: JobClient;
let recognizer: Recognizer;
let app: FastifyInstance;
let url: string;

before(async () => {
  if (skip) return;
  redis = await startRedis();
  recognizer = await createRecognizer({ model: MODEL });
  jobs = new JobClient({ redis: redis.url, defaults: { backoffMs: 50 } });
  app = await createServer({ recognizer, modelName: 'paper', logger: false, jobs, limits: { images: 2 } });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  worker = await startWorker({ redis: redis.url, recognizer: { model: MODEL } });
});

after(async () => {
  if (skip) return;
  await app?.close();
  await jobs?.close();
  await worker?.close();
  recognizer?.dispose();
  await redis?.cleanup();
});

/** The events of an SSE answer, until the server ends it. */
async function events(res: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.startsWith('event:'))
    .map((b) => {
      const [e, d] = b.split('\n');
      return { event: e.slice('event: '.length), data: JSON.parse(d.slice('data: '.length)) as Record<string, unknown> };
    });
}

test('POST /v1/jobs queues a picture: 202 {id}; its events end with completed; GET answers the result', { skip }, async () => {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' }), 'astronaut.jpg');
  const res = await fetch(`${url}/v1/jobs`, { method: 'POST', body: form });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get('location'), `/v1/jobs/${id}`);

  const stream = await fetch(`${url}/v1/jobs/${id}/events`);
  assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
  const seen = await events(stream);
  assert.equal(seen[0].event, 'state');
  assert.equal(seen.at(-1)!.event, 'completed');

  const status = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as { state: string; result: PicturesResult };
  assert.equal(status.state, 'completed');
  assert.equal(status.result.pictures[0].file, 'astronaut.jpg');
  assert.equal(status.result.pictures[0].faces.length, 1);
});

test('job errors: not a picture 415, too many 413, a relative path 400, an unknown job 404; a missing file fails the job with its code', { skip }, async () => {
  const post = (body: BodyInit, type?: string) => fetch(`${url}/v1/jobs`, { method: 'POST', body, ...(type ? { headers: { 'content-type': type } } : {}) });
  assert.equal((await post('hello', 'image/png')).status, 415);
  const form = new FormData();
  for (let i = 0; i < 3; i++) form.append('image', new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' }), `p${i}.jpg`);
  assert.equal((await post(form)).status, 413);
  const rel = await post(JSON.stringify({ images: ['photos/a.jpg'] }), 'application/json');
  assert.equal(rel.status, 400);
  assert.match(((await rel.json()) as { error: { message: string } }).error.message, /absolute path/);
  assert.equal((await fetch(`${url}/v1/jobs/nope`)).status, 404);
  assert.equal((await fetch(`${url}/v1/jobs/nope/events`)).status, 404);

  // this worker reads no files named by jobs: a bad input, failed at once
  const res = await post(JSON.stringify({ images: ['/srv/photos/a.jpg'] }), 'application/json');
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  const seen = await events(await fetch(`${url}/v1/jobs/${id}/events`));
  assert.equal(seen.at(-1)!.event, 'failed');
  assert.deepEqual((seen.at(-1)!.data.error as { code: string }).code, 'BAD_ARGUMENT');
  assert.equal(seen.at(-1)!.data.attempts, 1);
});

test('the OpenAPI document has the job routes, from their schemas', { skip }, async () => {
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  assert.ok(doc.paths['/v1/jobs'].post.responses['202']);
  assert.ok(doc.paths['/v1/jobs/{id}'].get.responses['200']);
  assert.ok(doc.paths['/v1/jobs/{id}/events'].get);
});

test(
  "a video job's options come from the query string as numbers: detectEvery 2 and 0 are taken, -1 refused; a cut-short multipart body is a 400",
  { skip },
  async () => {
    // a queue no worker takes from: the job's options are read back from its data
    const client = new JobClient({ redis: redis.url, queue: 'options' });
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue<VideoJobData>('options', { connection });
    const server = await createServer({ recognizer, modelName: 'paper', logger: false, jobs: client });
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    const video = Buffer.alloc(10_000, 7);
    video.write('ftypisom', 4, 'latin1');
    const post = (query: string) =>
      fetch(`${base}/v1/jobs?${query}`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: new Uint8Array(video) });
    try {
      for (const every of [2, 0]) {
        const res = await post(`detectEvery=${every}&fps=10`);
        assert.equal(res.status, 202, await res.clone().text());
        const { id } = (await res.json()) as { id: string };
        const job = await queue.getJob(id);
        assert.equal(job?.data.options.detectEvery, every);
        assert.equal(job?.data.options.fps, 10);
      }
      assert.equal((await post('detectEvery=-1')).status, 400);
      // a multipart body whose closing boundary never comes is the client's fault, answered as /v1/recognize answers it
      const cut = '--XyZ\r\ncontent-disposition: form-data; name="video"; filename="a.mp4"\r\ncontent-type: video/mp4\r\n\r\nxxxxxxxx';
      const broken = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=XyZ' }, body: cut });
      assert.equal(broken.status, 400);
      const { error } = (await broken.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, /multipart/);
    } finally {
      await server.close();
      await client.close();
      await queue.close();
      connection.disconnect();
    }
  },
);

test('uploads are held to quotas: bytes that are no video are refused, a job over its upload limit gets 413, a full queue 429', { skip }, async () => {
  // a queue no worker takes from, so that its uploads stay
  const client = new JobClient({ redis: redis.url, queue: 'quota', jobUploadBytes: 1_500_000, uploadQuotaBytes: 2_500_000, uploadSeconds: 600 });
  const server = await createServer({ recognizer, modelName: 'paper', logger: false, jobs: client });
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  const video = (bytes: number) => {
    const b = Buffer.alloc(bytes, 7);
    b.write('ftypisom', 4, 'latin1');
    return b;
  };
  const post = (body: Buffer) => fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: new Uint8Array(body) });
  try {
    const random = await post(Buffer.alloc(100_000, 3));
    assert.equal(random.status, 415);
    assert.match(((await random.json()) as { error: { message: string } }).error.message, /not a video container/);
    assert.equal((await post(video(1_000_000))).status, 202);
    assert.equal((await post(video(1_000_000))).status, 202);
    const full = await post(video(1_000_000));
    assert.equal(full.status, 429);
    assert.ok(Number(full.headers.get('retry-after')) >= 1);
    const e = ((await full.json()) as { error: { code: string; message: string } }).error;
    assert.equal(e.code, 'QUOTA');
    assert.match(e.message, /over its quota of 2\.4 MiB; retry once jobs have been done/);
    const big = await post(video(1_600_000));
    assert.equal(big.status, 413);
    assert.match(((await big.json()) as { error: { message: string } }).error.message, /over the 1\.4 MiB one job may upload; split it/);
    const { uploadedBytes } = await import('../queue/blobs.js');
    const { Redis } = await import('ioredis');
    const r = new Redis(redis.url);
    try {
      assert.equal(await uploadedBytes(r, 'quota'), 2_000_000);
      const keys = await r.keys('ferkit:quota:blob:*');
      assert.equal(keys.length, 2);
      for (const k of keys) assert.ok((await r.ttl(k)) <= 600);
    } finally {
      r.disconnect();
    }
  } finally {
    await server.close();
    await client.close();
  }
});

test('the job events stream carries the security headers of every other answer', { skip }, async () => {
  const res = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: PHOTO });
  const { id } = (await res.json()) as { id: string };
  const stream = await fetch(`${url}/v1/jobs/${id}/events`);
  assert.equal(stream.headers.get('content-type'), 'text/event-stream');
  for (const [name, value] of SECURITY_HEADERS) assert.equal(stream.headers.get(name), value, name);
  await stream.text();
});
