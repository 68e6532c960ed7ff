/**
 * Soak and load: many recognitions through the library and the service
 * keep the tensor count flat and the memory within a stated bound after
 * warm-up; 64 clients at once on loopback get only answers (200) or
 * deliberate refusals (503), never an error 500, and the service answers
 * at once afterwards. Prints its figures. Slow (several minutes):
 * `npm run test:soak` runs it; plain `npm test` skips it.
 *
 * FERKIT_SOAK_COUNT (default 2000) and FERKIT_SOAK_SECONDS (default 30)
 * scale it. FERKIT_SOAK_UPLOADS (default 150) is the number of 19 MB
 * uploads sent at once by the upload test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import autocannon from 'autocannon';
import { createRecognizer, type Recognizer } from '../src/node/index.js';
import { createServer } from '../src/serve/server.js';
import { PROJECT_ROOT } from './fixtures.js';
import { startServe } from './web-harness.js';

const skip = process.env.FERKIT_SOAK_TESTS ? false : 'set FERKIT_SOAK_TESTS=1 (npm run test:soak) for the soak and load tests';
const COUNT = Number(process.env.FERKIT_SOAK_COUNT ?? 2000);
const SECONDS = Number(process.env.FERKIT_SOAK_SECONDS ?? 30);
const WARM_UP = 100;
/** RSS may grow at most this much between the end of warm-up and the end of the run (allocator noise, caches settling). */
const RSS_BOUND_MB = 200;

const mb = (bytes: number) => bytes / 2 ** 20;
let photo: Buffer;
let recognizer: Recognizer | undefined;
before(async () => {
  if (skip) return;
  // one face, 320x240: each recognition runs the detector, the landmarks and the emotion model
  photo = await sharp(readFileSync(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg')))
    .resize(320, 240, { fit: 'cover' })
    .jpeg({ quality: 90 })
    .toBuffer();
  recognizer = await createRecognizer();
});
after(() => recognizer?.dispose());

/** Runs `step` `count` times; tensors and RSS after warm-up and at the end. */
async function soak(count: number, step: () => Promise<void>): Promise<{ tensors: [number, number]; rssMB: [number, number]; seconds: number }> {
  let tensorsAfterWarmUp = 0,
    rssAfterWarmUp = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await step();
    if (i === WARM_UP - 1) {
      tensorsAfterWarmUp = tf.memory().numTensors;
      rssAfterWarmUp = mb(process.memoryUsage().rss);
    }
  }
  return {
    tensors: [tensorsAfterWarmUp, tf.memory().numTensors],
    rssMB: [rssAfterWarmUp, mb(process.memoryUsage().rss)],
    seconds: (performance.now() - t0) / 1000,
  };
}

function report(what: string, r: Awaited<ReturnType<typeof soak>>): void {
  console.log(
    `${what}: ${COUNT} in ${r.seconds.toFixed(0)} s (${(COUNT / r.seconds).toFixed(1)}/s); tensors ${r.tensors[0]} -> ${r.tensors[1]}; RSS ${r.rssMB[0].toFixed(0)} -> ${r.rssMB[1].toFixed(0)} MB`,
  );
  assert.equal(r.tensors[1], r.tensors[0], `${what}: tensor count grew`);
  assert.ok(r.rssMB[1] - r.rssMB[0] < RSS_BOUND_MB, `${what}: RSS grew ${(r.rssMB[1] - r.rssMB[0]).toFixed(0)} MB (bound ${RSS_BOUND_MB} MB)`);
}

test(`soak: ${COUNT} recognitions through the library`, { skip, timeout: 3_600_000 }, async () => {
  const r = recognizer!;
  const result = await soak(COUNT, async () => {
    const faces = await r.recognize(photo);
    assert.equal(faces.length, 1);
  });
  report('library', result);
});

test(`soak: ${COUNT} requests through the service`, { skip, timeout: 3_600_000 }, async () => {
  const shared: Recognizer = { ...recognizer!, dispose: () => {} };
  const app = await createServer({ recognizer: shared, modelName: 'default', logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const result = await soak(COUNT, async () => {
      const res = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(photo) });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { faces: unknown[] }).faces.length, 1);
    });
    report('service', result);
  } finally {
    await app.close();
  }
});

test(`load: 64 clients for ${SECONDS} s on loopback: only 200 or 503, never a 500; answers at once afterwards`, { skip, timeout: 600_000 }, async () => {
  const served = await startServe();
  const { url } = served;
  try {
    const r = await autocannon({
      url: `${url}/v1/recognize`,
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: photo,
      connections: 64,
      duration: SECONDS,
      timeout: 60,
    });
    const codes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]));
    console.log(
      `load: 64 clients, ${SECONDS} s: ${r.requests.total} answers (${JSON.stringify(codes)}), ${r.errors} connection errors, ${r.timeouts} timeouts; p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`,
    );
    assert.ok(
      Object.keys(codes).every((c) => c === '200' || c === '503'),
      `status codes ${JSON.stringify(codes)}`,
    );
    assert.ok((codes['200'] ?? 0) > 0, 'some pictures were recognised');
    assert.equal(r.errors, 0, 'connection errors');
    assert.equal(r.timeouts, 0, 'timeouts');
    assert.ok(served.running(), 'the service is still up');
    // recovers at once: the next request is answered, not refused
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(photo) });
    const ms = performance.now() - t0;
    console.log(`load: the first request afterwards: ${res.status} in ${ms.toFixed(0)} ms`);
    assert.equal(res.status, 200);
    assert.ok(ms < 10_000, `${ms} ms`);
  } finally {
    await served.stop();
  }
});

/** A process's resident memory in MB, from /proc (Linux). */
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

const UPLOADS = Number(process.env.FERKIT_SOAK_UPLOADS ?? 150);

test(
  `load: ${UPLOADS} uploads of 19 MB at once keep the service under 1.5 GB, answered or refused in its error shape, and it returns near its baseline`,
  { skip: skip || (process.platform !== 'linux' && 'reads /proc'), timeout: 600_000 },
  async () => {
    const served = await startServe();
    const { url, pid } = served;
    // one body for every client: the clients' memory stays out of the figures, which are the server process's
    const body = Buffer.alloc(19 * 2 ** 20, 0x5a);
    try {
      await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(photo) });
      const baseline = rssOf(pid);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
      const codes: Record<string, number> = {};
      const t0 = performance.now();
      await Promise.all(
        Array.from(
          { length: UPLOADS },
          () =>
            new Promise<void>((resolve) => {
              let answered = false;
              const req = request(
                `${url}/v1/recognize`,
                { method: 'POST', headers: { 'content-type': 'image/jpeg', 'content-length': body.length } },
                (res) => {
                  answered = true;
                  let text = '';
                  res.on('data', (d: Buffer) => (text += d.toString()));
                  res.on('end', () => {
                    const shaped = /^\{"error":\{"code":"[A-Z_]+","message":/.test(text);
                    const key = `${res.statusCode}${shaped ? '' : ' (not in the error shape)'}`;
                    codes[key] = (codes[key] ?? 0) + 1;
                    resolve();
                  });
                },
              );
              // a refusal sent before the body is read closes the connection: the rest of the body is not wanted
              req.on('error', () => {
                if (answered) return;
                codes.closed = (codes.closed ?? 0) + 1;
                resolve();
              });
              req.end(body);
            }),
        ),
      );
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      await new Promise((r) => setTimeout(r, 3000));
      const after = rssOf(pid);
      console.log(
        `uploads: ${UPLOADS} x 19 MB in ${seconds.toFixed(1)} s: ${JSON.stringify(codes)}; server RSS ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB at most, ${after.toFixed(0)} MB 3 s after`,
      );
      assert.ok(peak < 1536, `RSS reached ${peak.toFixed(0)} MB`);
      assert.ok(after < baseline + 300, `RSS ${after.toFixed(0)} MB after, ${baseline.toFixed(0)} MB before`);
      // the body is no picture: 415 when read, 503 when refused for room; never a 500, always the service's error shape
      assert.ok(
        Object.keys(codes).every((c) => c === '415' || c === '503' || c === 'closed'),
        JSON.stringify(codes),
      );
      assert.ok((codes['415'] ?? 0) > 0, 'some bodies were read');
      assert.ok(served.running(), 'the service is still up');
      const res = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(photo) });
      assert.equal(res.status, 200);
    } finally {
      await served.stop();
    }
  },
);
