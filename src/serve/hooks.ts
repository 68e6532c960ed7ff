/**
 * What the service does around every request: the security headers on
 * every answer, a body read only once it fits in the body budget and then
 * within its deadline, and every error answered in the service's shape.
 */
import type { FastifyInstance } from 'fastify';
import type { BodyBudget } from './body-budget.js';
import { clientGoneError, httpError, HttpError, SECURITY_HEADERS } from './http.js';
import { sendError } from './replies.js';

/** Every answer: not to be sniffed, framed, cached or referred; pages served beside the API set their own policy first. */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of SECURITY_HEADERS) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
}

/**
 * A body is read only once its bytes fit in the budget (413 at once when it
 * says it is over `bodyBytes`), and must then arrive within `timeoutMs` (408).
 */
export function addBodyBudget(app: FastifyInstance, bodies: BodyBudget, limits: { bodyBytes: number; timeoutMs: number }): void {
  app.addHook('onRequest', async (req, reply) => {
    const raw = req.raw;
    const length = raw.headers['content-length'];
    if (length === undefined && raw.headers['transfer-encoding'] === undefined) return;
    const declared = Number(length ?? NaN);
    if (declared === 0) return;
    if (declared > limits.bodyBytes)
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is ${declared} bytes, over the limit of ${limits.bodyBytes}; send smaller or fewer files`);
    const gone = new AbortController();
    const leave = () => gone.abort();
    raw.socket.once('close', leave);
    const release = await bodies
      .reserve(Number.isFinite(declared) ? declared : limits.bodyBytes, gone.signal)
      .catch((err: unknown) => {
        throw gone.signal.aborted ? clientGoneError() : err;
      })
      .finally(() => raw.socket.off('close', leave));
    // the bytes stay reserved while the request holds its pictures: until its answer is sent or its connection drops
    reply.raw.once('close', release);
    if (reply.raw.destroyed) release();
    const timer = setTimeout(() => {
      if (raw.complete) return;
      const err = Object.assign(new Error(`the body did not arrive within ${limits.timeoutMs / 1000} s; send it at once, or from a faster link`), {
        statusCode: 408,
      });
      // the body's readers (Fastify's and multipart's) fail with it, and the answer says so; a body nobody reads is answered here
      if (raw.listenerCount('error') > 0) raw.emit('error', err);
      else if (!reply.sent) sendError(reply, httpError(err));
    }, limits.timeoutMs);
    const done = () => clearTimeout(timer);
    raw.once('end', done);
    reply.raw.once('close', done);
  });
}

/** Every error a request ends with, and every unknown route, answered in the service's shape; the service's own faults logged. */
export function setErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const h = httpError(err);
    if (h.status >= 500 && h.status !== 503) req.log.error({ err }, 'request failed');
    sendError(reply, h);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url}; see /openapi.json`)));
}
