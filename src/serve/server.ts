/**
 * `ferkit serve`: an HTTP API over one recognizer. Pictures come as a
 * multipart `image` field (one or several) or as a raw image body; they are
 * decoded in memory, never written to disk, and never logged.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { pictureRecord, type FaceRecord } from '../core/results.js';
import type { Recognizer } from '../node/index.js';
import { loadRgb } from '../fs/picture.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import { Admission } from './admission.js';
import { BodyBudget } from './body-budget.js';
import { checkPicture, httpError, HttpError, IMAGE_TYPES, SECURITY_HEADERS } from './http.js';
import { registerJobRoutes } from './jobs.js';
import type { JobClient } from '../queue/client.js';
import { errorSchema, healthSchema, modelSchema, recognizeResponseSchema } from './schemas.js';
import { openApiDocument, type RouteDoc } from './openapi.js';

export { checkPicture, httpError, HttpError, SECURITY_HEADERS } from './http.js';

export interface ServeLimits {
  /** Largest request body, in bytes: a raw picture, or all the pictures of a multipart request together. Default 20 MiB. */
  bodyBytes: number;
  /** Largest picture, in pixels (width x height), checked from its header before decoding. Default 16 million (a 12 MP phone photo fits). */
  pixels: number;
  /** Most images in one request. Default 16. */
  images: number;
  /**
   * Longest time for a request's body to arrive once it is being read, in
   * ms: a body that stalls past it is answered 408. Default 30 s.
   */
  timeoutMs: number;
  /**
   * Bytes of request bodies held at once, over all requests (at least
   * `bodyBytes`). A request reserves its body's size before the body is
   * read; while the budget is spent, up to `queue` requests wait unread (for
   * at most `timeoutMs`) and more get 503. Default 160 MiB.
   */
  bodyBudgetBytes: number;
  /**
   * Inferences that run at once in this process. Default 2: while one
   * picture is decoded or read back, the engine runs the other's kernels
   * (`npm run bench:serve` measures 1, 2, and two processes).
   */
  concurrency: number;
  /** Requests that may wait for an inference slot; more get 503. Default 32. */
  queue: number;
}

export const DEFAULT_LIMITS: ServeLimits = {
  bodyBytes: 20 * 2 ** 20,
  pixels: 16_000_000,
  images: 16,
  timeoutMs: 30_000,
  bodyBudgetBytes: 160 * 2 ** 20,
  concurrency: 2,
  queue: 32,
};

export interface ServerOptions {
  recognizer: Recognizer;
  /** The model's name as clients see it (a bundled name or a folder). */
  modelName: string;
  /** The recognizer's `uncertainBelow`, reported by /v1/model. Default DEFAULT_UNCERTAIN_BELOW. */
  uncertainBelow?: number;
  limits?: Partial<ServeLimits>;
  /** pino logger options, or false for none. Default: JSON lines at info level. */
  logger?: boolean | { level: string };
  /** The job queue: with it, POST /v1/jobs, GET /v1/jobs/:id and its events. */
  jobs?: JobClient;
  /** Registers more routes (the web page's files) after the API's. */
  register?: (app: FastifyInstance) => Promise<void>;
}

interface PictureResult {
  /** The picture's multipart file name, where the client gave one. */
  file?: string;
  faces: FaceRecord[];
  width: number;
  height: number;
  milliseconds: number;
}

/** Builds the service (not yet listening). */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { recognizer } = options;
  const admission = new Admission(limits.concurrency, limits.queue);
  const bodies = new BodyBudget(Math.max(limits.bodyBudgetBytes, limits.bodyBytes), limits.queue, limits.timeoutMs);
  const started = performance.now();
  const app = Fastify({
    logger: options.logger === false ? false : { level: typeof options.logger === 'object' ? options.logger.level : 'info' },
    bodyLimit: limits.bodyBytes,
    // a backstop only: a body's own deadline (timeoutMs once it is read, answered 408) and the wait for the body budget come first
    requestTimeout: 2 * limits.timeoutMs + 5000,
    connectionTimeout: 2 * limits.timeoutMs + 5000,
    // on close, idle keep-alive connections are dropped at once; busy ones when their answer is sent
    forceCloseConnections: 'idle',
    requestIdHeader: 'x-request-id',
  });
  // only pictures are read: any other body type gets 415
  app.removeAllContentTypeParsers();
  await app.register(multipart, { limits: { fileSize: limits.bodyBytes, files: limits.images, fields: 0, parts: limits.images, headerPairs: 100 } });
  // raw picture bodies arrive as bytes; other types fall to Fastify's 415
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: limits.bodyBytes }, (_req, body, done) => done(null, body));

  // every answer: not to be sniffed, framed, cached or referred; pages served beside the API set their own policy first
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of SECURITY_HEADERS) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
  // a body is read only once its bytes fit in the budget, and must then arrive within timeoutMs
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
        throw gone.signal.aborted ? new HttpError(499, 'CLIENT_GONE', 'the client closed the request') : err;
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
  app.setErrorHandler((err, req, reply) => {
    const h = httpError(err);
    if (h.status >= 500 && h.status !== 503) req.log.error({ err }, 'request failed');
    sendError(reply, h);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url}; see /openapi.json`)));

  /** Decodes and recognises one picture. */
  const recognizeOne = async ({ bytes, file }: Picture): Promise<PictureResult> => {
    const t0 = performance.now();
    const { width, height } = await checkPicture(bytes, limits.pixels);
    const image = await loadRgb(bytes, { maxPixels: limits.pixels });
    const [faces] = await recognizer.recognizeRgb([image]);
    return { ...(file ? { file } : {}), faces: pictureRecord('', faces).faces, width, height, milliseconds: round(performance.now() - t0) };
  };
  const routes: RouteDoc[] = [];
  const route = (doc: RouteDoc, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    routes.push(doc);
    app.route({ method: doc.method, url: doc.url, schema: { ...(doc.query ? { querystring: doc.query } : {}), response: doc.responses }, handler });
  };

  route(
    {
      method: 'POST',
      url: '/v1/recognize',
      summary: 'Faces and their emotions in one picture, or in several (a batch)',
      bodyTypes: ['multipart/form-data', ...IMAGE_TYPES],
      responses: { 200: recognizeResponseSchema, 400: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema, 503: errorSchema },
    },
    async (req, reply) => {
      const t0 = performance.now();
      const pictures = await readPictures(req);
      // a request is admitted as one job, its pictures one after the other; a client gone by then costs nothing
      let closed = false;
      reply.raw.once('close', () => (closed = !reply.raw.writableFinished));
      const gone = () => closed;
      if (pictures.length === 1) {
        const r = await admission.run(() =>
          gone() ? Promise.reject(new HttpError(499, 'CLIENT_GONE', 'the client closed the request')) : recognizeOne(pictures[0]),
        );
        return { model: options.modelName, ...r, milliseconds: round(performance.now() - t0) };
      }
      // each answer of a batch names its picture: its place in the request, and its file name where it has one
      const results = await admission.run(async () => {
        const out: ((PictureResult | { file?: string; error: { code: string; message: string } }) & { index: number })[] = [];
        for (const [index, p] of pictures.entries()) {
          if (gone()) throw new HttpError(499, 'CLIENT_GONE', 'the client closed the request');
          const answer = await recognizeOne(p).catch((err: unknown) => {
            const h = httpError(err);
            if (h.status === 500) req.log.error({ err }, 'picture failed');
            return { ...(p.file ? { file: p.file } : {}), error: { code: h.code, message: h.message } };
          });
          out.push({ index, ...answer });
        }
        return out;
      });
      return { model: options.modelName, results, milliseconds: round(performance.now() - t0) };
    },
  );
  route({ method: 'GET', url: '/v1/health', summary: 'Whether the service is up, and its load', responses: { 200: healthSchema } }, async () => ({
    status: 'ok',
    model: options.modelName,
    engine: recognizer.engine.backend,
    ...admission.load,
    uptimeSeconds: round((performance.now() - started) / 1000),
  }));
  route(
    { method: 'GET', url: '/v1/model', summary: 'The emotion model: labels, architecture, accuracy figures, calibration', responses: { 200: modelSchema } },
    async () => {
      const m = recognizer.meta;
      return {
        name: options.modelName,
        architecture: m.architecture,
        ...(m.description ? { description: m.description } : {}),
        ...(m.parameters !== undefined ? { parameters: m.parameters } : {}),
        labels: m.labels,
        preprocessing: m.preprocessing,
        ...(m.metrics ? { metrics: m.metrics } : {}),
        ...(m.calibration ? { calibration: m.calibration } : {}),
        uncertainBelow: options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW,
      };
    },
  );
  if (options.jobs) await registerJobRoutes(app, options.jobs, limits, routes);
  const document = () => openApiDocument(routes);
  app.get('/openapi.json', async () => document());
  wrongMethods(app, [...routes, { method: 'GET', url: '/openapi.json' }]);

  if (options.register) {
    // the page's files are logged at debug level: at info, the log is the API's (a route's level is a threshold,
    // so their request lines, logged at info, are shown from debug down)
    const level = typeof options.logger === 'object' ? options.logger.level : 'info';
    if (level === 'info')
      app.addHook('onRoute', (r) => {
        r.logLevel = 'warn';
      });
    await options.register(app);
  }

  /** The pictures of a request: multipart `image` fields (with their file names), or the raw body. */
  async function readPictures(req: FastifyRequest): Promise<Picture[]> {
    if (req.isMultipart()) {
      const pictures: Picture[] = [];
      let total = 0;
      try {
        for await (const part of req.parts()) {
          if (part.type !== 'file' || part.fieldname !== 'image') {
            throw new HttpError(400, 'BAD_REQUEST', `unexpected multipart field "${part.fieldname}"; send each picture as a file field named "image"`);
          }
          const bytes = await part.toBuffer();
          total += bytes.length;
          if (part.file.truncated || total > limits.bodyBytes)
            throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the pictures are over ${limits.bodyBytes} bytes together; send fewer or smaller ones`);
          pictures.push({ bytes, ...(part.filename ? { file: part.filename } : {}) });
        }
      } catch (err) {
        // a body that breaks off or is not the multipart it says it is: the client's fault, not the service's
        const e = err as { statusCode?: number; code?: string; message?: string };
        if (err instanceof HttpError || e.statusCode !== undefined || e.code?.startsWith('FST_')) throw err;
        throw new HttpError(
          400,
          'BAD_REQUEST',
          `the multipart/form-data body cannot be read (${String(e.message).slice(0, 80)}); send each picture as a file field named "image"`,
        );
      }
      if (pictures.length === 0) throw new HttpError(400, 'BAD_REQUEST', 'no picture: send a file field named "image"');
      return pictures;
    }
    const body = req.body;
    if (!(body instanceof Uint8Array) || body.length === 0) {
      throw new HttpError(400, 'BAD_REQUEST', `no picture: send multipart/form-data with a field "image", or a body of type ${IMAGE_TYPES.join(', ')}`);
    }
    return [{ bytes: body }];
  }

  return app;
}

/** A picture of a request: its bytes, and its multipart file name where it has one. */
interface Picture {
  bytes: Uint8Array;
  file?: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * Answers a method a route does not take with 405, its `Allow` header and
 * an error in the service's shape, instead of "no route": GET on
 * /v1/recognize says to POST.
 */
function wrongMethods(app: FastifyInstance, routes: readonly Pick<RouteDoc, 'method' | 'url'>[]): void {
  const allowed = new Map<string, Set<string>>();
  for (const r of routes) {
    const set = allowed.get(r.url) ?? new Set<string>();
    set.add(r.method);
    // Fastify answers HEAD wherever it answers GET
    if (r.method === 'GET') set.add('HEAD');
    allowed.set(r.url, set);
  }
  for (const [url, methods] of allowed) {
    const allow = [...methods].join(', ');
    const others = METHODS.filter((m) => !methods.has(m));
    const use = [...methods].filter((m) => m !== 'HEAD').join(' or ');
    app.route({
      method: others,
      url,
      // answered before any body is read: a wrong method is told as such, whatever it sends
      onRequest: async (req, reply) => {
        reply.header('allow', allow);
        sendError(reply, new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not answered at ${req.url.split('?')[0]}; use ${use} (see /openapi.json)`));
        return reply;
      },
      handler: async (_req, reply) => reply,
    });
  }
}

function sendError(reply: FastifyReply, err: HttpError): void {
  if (err.status === 503 || err.status === 429) reply.header('retry-after', String(err.retryAfterSeconds ?? 1));
  // a body left unread (too large, stalled, cut short) is not waited for: the connection closes after the answer
  if (!reply.request.raw.complete) reply.header('connection', 'close');
  void reply
    .code(err.status)
    .type('application/json')
    .send({ error: { code: err.code, message: err.message } });
}

const round = (ms: number) => Math.round(ms * 10) / 10;
