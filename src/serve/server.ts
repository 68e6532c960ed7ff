/**
 * `ferkit serve`: an HTTP API over one recognizer. Pictures come as a
 * multipart `image` field (one or several) or as a raw image body; they are
 * decoded in memory, never written to disk, and never logged.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { FerkitError } from '../errors.js';
import { pictureRecord, type FaceRecord } from '../results.js';
import type { Recognizer } from '../node/recognizer.js';
import { loadRgb, probePicture } from '../node/decode.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../recognizer.js';
import { Admission, Saturated } from './admission.js';
import { errorSchema, healthSchema, modelSchema, recognizeResponseSchema } from './schemas.js';
import { openApiDocument, type RouteDoc } from './openapi.js';

export interface ServeLimits {
  /** Largest request body, in bytes: a raw picture, or all the pictures of a multipart request together. Default 20 MiB. */
  bodyBytes: number;
  /** Largest picture, in pixels (width x height), checked from its header before decoding. Default 16 million (a 12 MP phone photo fits). */
  pixels: number;
  /** Most images in one request. Default 16. */
  images: number;
  /** Longest time for a request to arrive, in ms. Default 30 s. */
  timeoutMs: number;
  /**
   * Inferences that run at once in this process. Default 2: while one
   * picture is decoded or read back, the engine runs the other's kernels
   * (`npm run bench:serve` measures 1, 2, and two processes).
   */
  concurrency: number;
  /** Requests that may wait for an inference slot; more get 503. Default 32. */
  queue: number;
}

export const DEFAULT_LIMITS: ServeLimits = { bodyBytes: 20 * 2 ** 20, pixels: 16_000_000, images: 16, timeoutMs: 30_000, concurrency: 2, queue: 32 };

export interface ServerOptions {
  recognizer: Recognizer;
  /** The model's name as clients see it (a bundled name or a folder). */
  modelName: string;
  /** The recognizer's `uncertainBelow`, reported by /v1/model. Default DEFAULT_UNCERTAIN_BELOW. */
  uncertainBelow?: number;
  limits?: Partial<ServeLimits>;
  /** pino logger options, or false for none. Default: JSON lines at info level. */
  logger?: boolean | { level: string };
  /** Registers more routes (the web page's files) after the API's. */
  register?: (app: FastifyInstance) => Promise<void>;
}

/** An error with the HTTP status and code the service answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For 503: seconds after which a retry is likely to be admitted. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Headers on every answer: results describe people's faces, so nothing is cached, framed, sniffed or referred. */
export const SECURITY_HEADERS: readonly [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cache-control', 'no-store'],
  ['cross-origin-resource-policy', 'same-origin'],
];

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** sharp's names of the formats the service accepts. */
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp']);

/** The status and code of any error a request can end with. */
export function httpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof Saturated) return new HttpError(503, 'SATURATED', err.message, err.retryAfterSeconds);
  if (err instanceof FerkitError) {
    if (err.code === 'BAD_IMAGE') return new HttpError(422, 'BAD_IMAGE', err.message);
    if (err.code === 'BAD_ARGUMENT') return new HttpError(400, 'BAD_REQUEST', err.message);
  }
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_FIELDS_LIMIT') return new HttpError(400, 'BAD_REQUEST', 'send each picture as a file field named "image"; other fields are not read');
  if (e.statusCode === 413 || e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT') {
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', `${e.message ?? 'request too large'}; send smaller or fewer pictures`);
  }
  if (e.statusCode === 415)
    return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send a picture as multipart/form-data (field "image") or as a body of type ${IMAGE_TYPES.join(', ')}`);
  if (e.statusCode === 408) return new HttpError(408, 'TIMEOUT', 'the request took too long to arrive');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new HttpError(e.statusCode, 'BAD_REQUEST', e.message ?? 'bad request');
  return new HttpError(500, 'INTERNAL', 'internal error; the service log has the details');
}

/** Checks a picture's format and size from its header, before any decoding. */
export async function checkPicture(bytes: Uint8Array, maxPixels: number): Promise<{ width: number; height: number }> {
  const header = await probePicture(bytes);
  if (!header || !IMAGE_FORMATS.has(header.format)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `${header ? `a ${header.format} file` : 'not a picture ferkit reads'}; send a JPEG, PNG or WebP`);
  }
  const { width, height } = header;
  if (!(width > 0 && height > 0)) throw new HttpError(422, 'BAD_IMAGE', 'the picture has no size in its header; it is damaged');
  if (width * height > maxPixels) {
    throw new HttpError(
      413,
      'PAYLOAD_TOO_LARGE',
      `a picture of ${width}x${height} pixels is over the limit of ${maxPixels.toLocaleString('en-US')} pixels; scale it down`,
    );
  }
  return { width, height };
}

interface PictureResult {
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
  const started = performance.now();
  const app = Fastify({
    logger: options.logger === false ? false : { level: typeof options.logger === 'object' ? options.logger.level : 'info' },
    bodyLimit: limits.bodyBytes,
    requestTimeout: limits.timeoutMs,
    connectionTimeout: limits.timeoutMs,
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
  app.setErrorHandler((err, req, reply) => {
    const h = httpError(err);
    if (h.status >= 500 && h.status !== 503) req.log.error({ err }, 'request failed');
    sendError(reply, h);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url}; see /openapi.json`)));

  /** Decodes and recognises one picture. */
  const recognizeOne = async (bytes: Uint8Array): Promise<PictureResult> => {
    const t0 = performance.now();
    const { width, height } = await checkPicture(bytes, limits.pixels);
    const image = await loadRgb(bytes, { maxPixels: limits.pixels });
    const [faces] = await recognizer.recognizeRgb([image]);
    return { faces: pictureRecord('', faces).faces, width, height, milliseconds: round(performance.now() - t0) };
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
      const results = await admission.run(async () => {
        const out: (PictureResult | { error: { code: string; message: string } })[] = [];
        for (const p of pictures) {
          if (gone()) throw new HttpError(499, 'CLIENT_GONE', 'the client closed the request');
          out.push(
            await recognizeOne(p).catch((err: unknown) => {
              const h = httpError(err);
              if (h.status === 500) req.log.error({ err }, 'picture failed');
              return { error: { code: h.code, message: h.message } };
            }),
          );
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
  const document = () => openApiDocument(routes);
  app.get('/openapi.json', async () => document());

  if (options.register) await options.register(app);

  /** The pictures of a request: multipart `image` fields, or the raw body. */
  async function readPictures(req: FastifyRequest): Promise<Uint8Array[]> {
    if (req.isMultipart()) {
      const pictures: Uint8Array[] = [];
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
          pictures.push(bytes);
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
    return [body];
  }

  return app;
}

function sendError(reply: FastifyReply, err: HttpError): void {
  if (err.status === 503) reply.header('retry-after', String(err.retryAfterSeconds ?? 1));
  void reply
    .code(err.status)
    .type('application/json')
    .send({ error: { code: err.code, message: err.message } });
}

const round = (ms: number) => Math.round(ms * 10) / 10;
