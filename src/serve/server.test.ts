/** The HTTP API, over real HTTP on loopback, with the bundled model. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { createRecognizer, type Recognizer } from '../node/index.js';
import { createServer, DEFAULT_LIMITS, type ServeLimits } from './server.js';
import { PROJECT_ROOT } from '../../test/fixtures.js';

const PHOTO = readFileSync(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'));

let recognizer: Recognizer;
before(async () => {
  recognizer = await createRecognizer();
});
after(() => recognizer.dispose());

/** A server on a free loopback port; `stop` closes it. */
async function listen(limits: Partial<ServeLimits> = {}, wrap: (r: Recognizer) => Recognizer = (r) => r): Promise<{ url: string; app: FastifyInstance }> {
  // the server must not dispose the shared recognizer: give it a view whose dispose does nothing
  const shared: Recognizer = { ...wrap(recognizer), dispose: () => {} };
  const app = await createServer({ recognizer: shared, modelName: 'default', limits, logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app };
}

function form(...files: [field: string, bytes: Uint8Array, type: string][]): FormData {
  const f = new FormData();
  for (const [field, bytes, type] of files) f.append(field, new Blob([new Uint8Array(bytes)], { type }), `${field}.bin`);
  return f;
}

/** A PNG whose header says `width` x `height` (a decompression bomb when large): a few hundred bytes. */
function pngHeader(width: number, height: number): Uint8Array<ArrayBuffer> {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey
  // one row of zeros, compressed: the body is tiny whatever the size in the header
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

async function json(res: Response): Promise<Record<string, unknown>> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

test("POST /v1/recognize: a raw JPEG body and a multipart field give the faces in the library's record shape", async () => {
  const { url, app } = await listen();
  try {
    const raw = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: PHOTO });
    assert.equal(raw.status, 200);
    const body = await json(raw);
    assert.equal(body.model, 'default');
    assert.equal(typeof body.milliseconds, 'number');
    const faces = body.faces as { faceId: number; emotion: string; emotions: Record<string, number>; box: { width: number } }[];
    assert.equal(faces.length, 1);
    assert.equal(faces[0].faceId, 1);
    assert.equal(faces[0].emotion, 'happy');
    assert.ok(Math.abs(Object.values(faces[0].emotions).reduce((a, b) => a + b, 0) - 1) < 1e-3);
    // the eyes the detector found, in picture pixels inside the face's box
    const eyes = (faces[0] as unknown as { eyes: { left: { x: number; y: number }; right: { x: number; y: number } } }).eyes;
    const box = (faces[0] as unknown as { box: { x: number; y: number; width: number; height: number } }).box;
    for (const eye of [eyes.left, eyes.right]) {
      assert.ok(eye.x > box.x && eye.x < box.x + box.width && eye.y > box.y && eye.y < box.y + box.height, JSON.stringify({ eyes, box }));
    }
    assert.ok(eyes.left.x < eyes.right.x);
    const multi = await json(await fetch(`${url}/v1/recognize`, { method: 'POST', body: form(['image', PHOTO, 'image/jpeg']) }));
    assert.deepEqual((multi.faces as unknown[]).length, 1);
    assert.equal((multi.faces as { emotion: string }[])[0].emotion, 'happy');
  } finally {
    await app.close();
  }
});

test('POST /v1/recognize: a batch is answered in order, and one bad picture fails alone', async () => {
  const { url, app } = await listen();
  try {
    const truncated = PHOTO.subarray(0, 20_000);
    const res = await fetch(`${url}/v1/recognize`, {
      method: 'POST',
      body: form(
        ['image', PHOTO, 'image/jpeg'],
        ['image', new TextEncoder().encode('not a picture'), 'image/jpeg'],
        ['image', truncated, 'image/jpeg'],
        ['image', PHOTO, 'image/jpeg'],
      ),
    });
    assert.equal(res.status, 200);
    const results = (await json(res)).results as { index: number; file?: string; faces?: unknown[]; error?: { code: string; message: string } }[];
    assert.equal(results.length, 4);
    // each answer names its picture: its place in the request and its file name
    assert.deepEqual(
      results.map((r) => [r.index, r.file]),
      [0, 1, 2, 3].map((i) => [i, 'image.bin']),
    );
    assert.equal(results[0].faces?.length, 1);
    assert.equal(results[1].error?.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(results[2].error?.code, 'BAD_IMAGE');
    assert.equal(results[3].faces?.length, 1);
  } finally {
    await app.close();
  }
});

test('errors: 400, 404, 413 (body, pixels, count), 415 and 422 as JSON with a code and a message', async () => {
  const { url, app } = await listen({ bodyBytes: 200_000, images: 2 });
  try {
    const post = (body: BodyInit, type?: string) =>
      fetch(`${url}/v1/recognize`, { method: 'POST', ...(type ? { headers: { 'content-type': type } } : {}), body });
    const expect = async (res: Response, status: number, code: string) => {
      assert.equal(res.status, status, `expected ${status} ${code}`);
      const e = (await json(res)).error as { code: string; message: string };
      assert.equal(e.code, code);
      assert.ok(e.message.length > 10, e.message);
    };
    await expect(await post(new Uint8Array(0), 'image/png'), 400, 'BAD_REQUEST');
    await expect(await post(form(['photo', PHOTO, 'image/jpeg'])), 400, 'BAD_REQUEST');
    await expect(await post(new Uint8Array(300_000), 'image/jpeg'), 413, 'PAYLOAD_TOO_LARGE');
    await expect(await post(form(['image', PHOTO, 'image/jpeg'], ['image', PHOTO, 'image/jpeg'], ['image', PHOTO, 'image/jpeg'])), 413, 'PAYLOAD_TOO_LARGE');
    await expect(await post('hello', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expect(await post(new TextEncoder().encode('GIF89a not really'), 'image/png'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expect(await post(PHOTO.subarray(0, 20_000), 'image/jpeg'), 422, 'BAD_IMAGE');
    await expect(await fetch(`${url}/v2/nothing`), 404, 'NOT_FOUND');
    const withText = new FormData();
    withText.append('note', 'hello');
    await expect(await post(withText), 400, 'BAD_REQUEST');
  } finally {
    await app.close();
  }
});

test("a method a route does not take: 405 with Allow and an error in the service's shape, before any body is read", async () => {
  const { url, app } = await listen();
  try {
    for (const [method, path, allow] of [
      ['GET', '/v1/recognize', 'POST'],
      ['PUT', '/v1/recognize', 'POST'],
      ['POST', '/v1/health', 'GET, HEAD'],
      ['DELETE', '/v1/model', 'GET, HEAD'],
      ['POST', '/openapi.json', 'GET, HEAD'],
    ] as const) {
      const res = await fetch(`${url}${path}`, { method, ...(method === 'GET' ? {} : { headers: { 'content-type': 'text/plain' }, body: 'x' }) });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('allow'), allow);
      const e = (await json(res)).error as { code: string; message: string };
      assert.equal(e.code, 'METHOD_NOT_ALLOWED');
      assert.match(e.message, new RegExp(`^${method} is not answered at ${path.replace('.', '\\.')}; use ${allow.split(',')[0]} `));
    }
    // HEAD where GET is answered is no error
    assert.equal((await fetch(`${url}/v1/health`, { method: 'HEAD' })).status, 200);
  } finally {
    await app.close();
  }
});

test('413 when the pictures of a multipart request are over the body limit together, each under it', async () => {
  const { url, app } = await listen({ bodyBytes: 100_000, images: 4 });
  try {
    assert.ok(PHOTO.length < 100_000 && 2 * PHOTO.length > 100_000);
    const res = await fetch(`${url}/v1/recognize`, { method: 'POST', body: form(['image', PHOTO, 'image/jpeg'], ['image', PHOTO, 'image/jpeg']) });
    assert.equal(res.status, 413);
    assert.equal(((await json(res)).error as { code: string }).code, 'PAYLOAD_TOO_LARGE');
  } finally {
    await app.close();
  }
});

test('a decompression bomb is refused from its header, before it is decoded', async () => {
  const { url, app } = await listen();
  try {
    const bomb = pngHeader(30_000, 30_000);
    assert.ok(bomb.length < 5_000_000, `${bomb.length} bytes`);
    const res = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: bomb });
    assert.equal(res.status, 413);
    const e = (await json(res)).error as { code: string; message: string };
    assert.equal(e.code, 'PAYLOAD_TOO_LARGE');
    assert.match(e.message, /30000x30000 pixels is over the limit/);
  } finally {
    await app.close();
  }
});

test('a saturated service answers 503 with Retry-After at once, and serves again when free', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const busy = new Promise<void>((r) => (entered = r));
  const { url, app } = await listen({ concurrency: 1, queue: 0 }, (r) => ({
    ...r,
    recognizeRgb: async (images) => {
      entered();
      await gate;
      return r.recognizeRgb(images);
    },
  }));
  try {
    const first = fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: PHOTO });
    await busy;
    const second = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: PHOTO });
    assert.equal(second.status, 503);
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
    assert.equal(((await json(second)).error as { code: string }).code, 'SATURATED');
    const health = await json(await fetch(`${url}/v1/health`));
    assert.equal(health.running, 1);
    release();
    assert.equal((await first).status, 200);
    const third = await fetch(`${url}/v1/recognize`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: PHOTO });
    assert.equal(third.status, 200);
  } finally {
    release();
    await app.close();
  }
});

test('GET /v1/health, /v1/model and /openapi.json describe the service from its own schemas', async () => {
  const { url, app } = await listen();
  try {
    const health = await json(await fetch(`${url}/v1/health`));
    assert.equal(health.status, 'ok');
    assert.equal(health.engine, recognizer.engine.backend);
    const model = await json(await fetch(`${url}/v1/model`));
    assert.deepEqual(model.labels, recognizer.meta.labels);
    assert.equal(model.architecture, recognizer.meta.architecture);
    assert.equal((model.calibration as { temperature: number }).temperature, recognizer.meta.calibration?.temperature);
    const doc = (await json(await fetch(`${url}/openapi.json`))) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> } }>>;
    };
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/v1/health', '/v1/model', '/v1/recognize']);
    const recognize = doc.paths['/v1/recognize'].post;
    assert.deepEqual(Object.keys(recognize.responses).sort(), ['200', '400', '413', '415', '422', '503']);
    assert.deepEqual(Object.keys(recognize.requestBody!.content).sort(), ['image/jpeg', 'image/png', 'image/webp', 'multipart/form-data']);
    // a batch's answers are documented with the index and file name that name them, faces with their eyes
    const answer = JSON.stringify((recognize.responses['200'] as { content: unknown }).content);
    assert.match(answer, /"index":\{"type":"integer"/);
    assert.match(answer, /"file":\{"type":"string"/);
    assert.match(answer, /"eyes":\{"type":"object"/);
    assert.match(answer, /METHOD_NOT_ALLOWED/);
    assert.ok(DEFAULT_LIMITS.pixels > 10_000_000);
  } finally {
    await app.close();
  }
});
