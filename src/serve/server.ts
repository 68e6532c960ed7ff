/**
 * `ferkit serve`: an HTTP API over one recognizer. Pictures come as a
 * multipart `image` field (one or several) or as a raw image body; they are
 * decoded in memory, never written to disk, and never logged.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Recognizer } from '../node/index.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import type { JobClient } from '../queue/client.js';
import { Admission } from './admission.js';
import { BodyBudget } from './body-budget.js';
import { addBodyBudget, addSecurityHeaders, setErrorHandlers } from './hooks.js';
import { IMAGE_TYPES } from './http.js';
import type { RouteDoc } from './openapi.js';
import { registerJobRoutes } from './routes/jobs.js';
import { OPENAPI_ROUTE, registerOpenApi } from './routes/openapi.js';
import { registerPage } from './routes/page.js';
import { registerRecognize } from './routes/recognize.js';
import { wrongMethods } from './routes/route.js';
import { registerServiceRoutes } from './routes/service.js';

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

/** Builds the service (not yet listening). */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { recognizer, modelName } = options;
  const admission = new Admission(limits.concurrency, limits.queue);
  const started = performance.now();
  const app = await newApp(limits, logLevel(options.logger));
  addSecurityHeaders(app);
  addBodyBudget(app, new BodyBudget(Math.max(limits.bodyBudgetBytes, limits.bodyBytes), limits.queue, limits.timeoutMs), limits);
  setErrorHandlers(app);
  const docs: RouteDoc[] = [];
  registerRecognize(app, docs, { recognizer, modelName, limits, admission });
  const uncertainBelow = options.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  registerServiceRoutes(app, docs, { recognizer, modelName, uncertainBelow, admission, started });
  if (options.jobs) await registerJobRoutes(app, options.jobs, limits, docs);
  registerOpenApi(app, docs);
  wrongMethods(app, [...docs, OPENAPI_ROUTE]);
  if (options.register) await registerPage(app, options.register, logLevel(options.logger) || 'info');
  return app;
}

/** The pino level of `logger`, or false for no log. */
function logLevel(logger: ServerOptions['logger']): string | false {
  return logger === false ? false : typeof logger === 'object' ? logger.level : 'info';
}

/** A Fastify instance that reads pictures only (raw, or multipart within the limits): any other body type gets 415. */
async function newApp(limits: ServeLimits, level: string | false): Promise<FastifyInstance> {
  const app = Fastify({
    logger: level === false ? false : { level },
    bodyLimit: limits.bodyBytes,
    // a backstop only: a body's own deadline (timeoutMs once it is read, answered 408) and the wait for the body budget come first
    requestTimeout: 2 * limits.timeoutMs + 5000,
    connectionTimeout: 2 * limits.timeoutMs + 5000,
    // on close, idle keep-alive connections are dropped at once; busy ones when their answer is sent
    forceCloseConnections: 'idle',
    requestIdHeader: 'x-request-id',
  });
  app.removeAllContentTypeParsers();
  await app.register(multipart, { limits: { fileSize: limits.bodyBytes, files: limits.images, fields: 0, parts: limits.images, headerPairs: 100 } });
  // raw picture bodies arrive as bytes; other types fall to Fastify's 415
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: limits.bodyBytes }, (_req, body, done) => done(null, body));
  return app;
}
