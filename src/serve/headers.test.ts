/** Security headers on every answer of the API, and the page's own policy kept. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, SECURITY_HEADERS } from './server.js';
import type { Recognizer } from '../node/index.js';
import { EMOTIONS } from '../core/labels.js';
import { DEFAULT_PREPROCESSING } from '../core/models/metadata.js';

/** A recognizer that is never asked to recognise: enough for the routes that describe the service. */
const stub = {
  meta: { format: 'ferkit-model', formatVersion: 1, architecture: 'tiny', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING },
  engine: { backend: 'cpu' },
  dispose() {},
} as unknown as Recognizer;

test('every answer carries the security headers: success, client error, not found', async () => {
  const app = await createServer({
    recognizer: stub,
    modelName: 'm',
    logger: false,
    register: async (a) => {
      a.get('/page', async (_req, reply) => reply.header('content-security-policy', "default-src 'self'").type('text/html').send('<p>hi</p>'));
    },
  });
  try {
    for (const [method, url, status] of [
      ['GET', '/v1/health', 200],
      ['GET', '/v1/model', 200],
      ['POST', '/v1/recognize', 415],
      ['GET', '/nowhere', 404],
    ] as const) {
      const res = await app.inject({ method, url, ...(method === 'POST' ? { headers: { 'content-type': 'text/plain' }, payload: 'x' } : {}) });
      assert.equal(res.statusCode, status, `${url}: ${res.body}`);
      for (const [name, value] of SECURITY_HEADERS) assert.equal(res.headers[name], value, `${url}: ${name}`);
    }
    const page = await app.inject({ method: 'GET', url: '/page' });
    assert.equal(page.headers['content-security-policy'], "default-src 'self'", 'a page keeps its own policy');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
  } finally {
    await app.close();
  }
});
