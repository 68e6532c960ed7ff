/**
 * Request bodies under hostile clients: a body is read only once it fits in
 * the body budget, must arrive within the deadline (408), and every way a
 * body can be wrong is answered in the service's error shape. The
 * recognizer is a stand-in: no picture reaches it here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Recognizer } from '../node/index.js';
import { BodyBudget } from './body-budget.js';
import { Saturated } from './admission.js';
import { createServer, type ServeLimits } from './server.js';

const standIn = {
  recognizeRgb: async () => [[]],
  meta: { labels: [], architecture: 'none', preprocessing: {} },
  engine: { backend: 'cpu' },
  dispose: () => {},
} as unknown as Recognizer;

async function listen(limits: Partial<ServeLimits>): Promise<{ app: FastifyInstance; port: number }> {
  const app = await createServer({ recognizer: standIn, modelName: 'default', limits, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port };
}

/** Sends `head` and `body` on a raw connection (the body perhaps short of what the head announces) and resolves with the answer. */
function raw(
  port: number,
  head: string,
  body: Uint8Array | string = '',
): { answer: Promise<{ status: number; headers: string; json: unknown }>; close: () => void } {
  const socket = connect(port, '127.0.0.1');
  socket.write(head.replace(/\n/g, '\r\n') + '\r\n');
  socket.write(body);
  let text = '';
  const answer = new Promise<{ status: number; headers: string; json: unknown }>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (end >= 0 && length !== undefined && text.length >= end + 4 + Number(length)) {
        resolve({
          status: Number(text.slice(9, 12)),
          headers: text.slice(0, end).toLowerCase(),
          json: JSON.parse(text.slice(end + 4, end + 4 + Number(length))),
        });
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed without a full answer: ${JSON.stringify(text.slice(0, 200))}`)));
  });
  return { answer, close: () => socket.destroy() };
}

const errorOf = (json: unknown) => (json as { error: { code: string; message: string } }).error;

test('a stalled body is answered 408 in the service error shape, raw or multipart, and the connection is closed', async () => {
  const { app, port } = await listen({ timeoutMs: 400 });
  try {
    const picture = raw(port, 'POST /v1/recognize HTTP/1.1\nhost: x\ncontent-type: image/jpeg\ncontent-length: 5000\n', Buffer.alloc(100));
    const a = await picture.answer;
    assert.equal(a.status, 408);
    assert.equal(errorOf(a.json).code, 'TIMEOUT');
    assert.match(errorOf(a.json).message, /did not arrive within 0\.4 s/);
    assert.match(a.headers, /connection: close/);
    assert.match(a.headers, /x-content-type-options: nosniff/);
    const boundary = 'XyZ';
    const part = `--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\n` + 'x'.repeat(50);
    const multi = raw(port, `POST /v1/recognize HTTP/1.1\nhost: x\ncontent-type: multipart/form-data; boundary=${boundary}\ncontent-length: 5000\n`, part);
    const m = await multi.answer;
    assert.equal(m.status, 408);
    assert.equal(errorOf(m.json).code, 'TIMEOUT');
  } finally {
    await app.close();
  }
});

test('a multipart body cut short, a body over the limit and a bad length are answered in the service error shape', async () => {
  const { app, port } = await listen({ bodyBytes: 10_000 });
  try {
    const boundary = 'XyZ';
    // complete by its length, but the closing boundary never comes
    const cut = `--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\nxxxxxxxx`;
    const c = await raw(
      port,
      `POST /v1/recognize HTTP/1.1\nhost: x\ncontent-type: multipart/form-data; boundary=${boundary}\ncontent-length: ${cut.length}\n`,
      cut,
    ).answer;
    assert.equal(c.status, 400);
    assert.equal(errorOf(c.json).code, 'BAD_REQUEST');
    assert.match(errorOf(c.json).message, /multipart/);
    // refused from its header, before a byte of it is read
    const big = await raw(port, 'POST /v1/recognize HTTP/1.1\nhost: x\ncontent-type: image/jpeg\ncontent-length: 20000000\n').answer;
    assert.equal(big.status, 413);
    assert.equal(errorOf(big.json).code, 'PAYLOAD_TOO_LARGE');
    assert.match(errorOf(big.json).message, /over the limit of 10000/);
    const chunked = await raw(
      port,
      'POST /v1/recognize HTTP/1.1\nhost: x\ncontent-type: image/jpeg\ntransfer-encoding: chunked\n',
      `${(20_000).toString(16)}\r\n${'x'.repeat(20_000)}\r\n0\r\n\r\n`,
    ).answer;
    assert.equal(chunked.status, 413);
    assert.equal(errorOf(chunked.json).code, 'PAYLOAD_TOO_LARGE');
  } finally {
    await app.close();
  }
});

test('bodies wait unread while the body budget is spent, and past the waiting places are refused at once with 503', async () => {
  const { app, port } = await listen({ bodyBytes: 1000, bodyBudgetBytes: 1000, queue: 1, timeoutMs: 20_000 });
  const head = 'POST /v1/recognize HTTP/1.1\nhost: x\ncontent-type: image/jpeg\ncontent-length: 1000\n';
  const first = raw(port, head, Buffer.alloc(10));
  const second = raw(port, head, Buffer.alloc(10));
  try {
    // the first holds the budget (its body half sent), the second waits for it: the third finds no place
    first.answer.catch(() => {});
    second.answer.catch(() => {});
    let third: Awaited<ReturnType<typeof raw>['answer']> | undefined;
    for (let i = 0; i < 200 && third?.status !== 503; i++) {
      third = await raw(port, head, Buffer.alloc(10)).answer.catch(() => undefined);
      if (third?.status !== 503) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(third?.status, 503);
    assert.equal(errorOf(third.json).code, 'SATURATED');
    assert.match(third.headers, /retry-after: \d+/);
  } finally {
    first.close();
    second.close();
    await app.close();
  }
});

test('BodyBudget: first come first served within the capacity; release gives back once', async () => {
  const budget = new BodyBudget(100, 2, 60_000);
  const a = await budget.reserve(60);
  const order: string[] = [];
  const b = budget.reserve(60).then((r) => (order.push('b'), r));
  const c = budget.reserve(10).then((r) => (order.push('c'), r));
  await assert.rejects(budget.reserve(1), (err: unknown) => err instanceof Saturated);
  assert.deepEqual(budget.load, { bodyBytes: 60, waitingBodies: 2 });
  a();
  a();
  const [rb, rc] = await Promise.all([b, c]);
  assert.deepEqual(order, ['b', 'c']);
  assert.deepEqual(budget.load, { bodyBytes: 70, waitingBodies: 0 });
  rb();
  rc();
  assert.deepEqual(budget.load, { bodyBytes: 0, waitingBodies: 0 });
  // a body larger than the whole budget reserves all of it, not more
  const all = await budget.reserve(10_000);
  assert.equal(budget.load.bodyBytes, 100);
  all();
  const short = new BodyBudget(10, 5, 50);
  const hold = await short.reserve(10);
  await assert.rejects(short.reserve(5), (err: unknown) => err instanceof Saturated);
  hold();
});
