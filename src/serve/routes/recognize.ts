/** POST /v1/recognize: the faces and their emotions in one picture, or in each picture of a batch. */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { loadRgb } from '../../fs/picture.js';
import type { Recognizer } from '../../node/index.js';
import { pictureRecord } from '../../core/results.js';
import type { Admission } from '../admission.js';
import { checkPicture, clientGoneError, httpError, IMAGE_TYPES } from '../http.js';
import type { RouteDoc } from '../openapi.js';
import { batchReply, pictureFailure, pictureReply, round, type BatchItem, type PictureResult } from '../replies.js';
import { errorSchema, recognizeResponseSchema } from '../schemas.js';
import { readPictures, type Picture } from '../uploads.js';
import { addRoute } from './route.js';

/** What recognition needs: the recognizer, its name as clients see it, the limits, and the admission of inferences. */
export interface RecognizeContext {
  recognizer: Recognizer;
  modelName: string;
  limits: { bodyBytes: number; pixels: number };
  admission: Admission;
}

const DOC: RouteDoc = {
  method: 'POST',
  url: '/v1/recognize',
  summary: 'Faces and their emotions in one picture, or in several (a batch)',
  bodyTypes: ['multipart/form-data', ...IMAGE_TYPES],
  responses: { 200: recognizeResponseSchema, 400: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema, 503: errorSchema },
};

export function registerRecognize(app: FastifyInstance, docs: RouteDoc[], c: RecognizeContext): void {
  addRoute(app, docs, DOC, async (req, reply) => {
    const t0 = performance.now();
    const pictures = await readPictures(req, c.limits);
    // a request is admitted as one job, its pictures one after the other; a client gone by then costs nothing
    const gone = clientGone(reply);
    if (pictures.length === 1) {
      const r = await c.admission.run(() => (gone() ? Promise.reject(clientGoneError()) : recognizePicture(c, pictures[0])));
      return pictureReply(c.modelName, r, t0);
    }
    const results = await c.admission.run(() => recognizeBatch(c, pictures, gone, req.log));
    return batchReply(c.modelName, results, t0);
  });
}

/** Whether the client has closed the request before its answer was sent. */
function clientGone(reply: FastifyReply): () => boolean {
  let closed = false;
  reply.raw.once('close', () => (closed = !reply.raw.writableFinished));
  return () => closed;
}

/** Decodes and recognises one picture, checked from its header first. */
async function recognizePicture(c: RecognizeContext, { bytes, file }: Picture): Promise<PictureResult> {
  const t0 = performance.now();
  const { width, height } = await checkPicture(bytes, c.limits.pixels);
  const image = await loadRgb(bytes, { maxPixels: c.limits.pixels });
  const [faces] = await c.recognizer.recognizeRgb([image]);
  return { ...(file ? { file } : {}), faces: pictureRecord('', faces).faces, width, height, milliseconds: round(performance.now() - t0) };
}

/** The pictures of a batch one after the other, each answer naming its picture: its place in the request, and its file name where it has one. */
async function recognizeBatch(c: RecognizeContext, pictures: Picture[], gone: () => boolean, log: FastifyBaseLogger): Promise<BatchItem[]> {
  const out: BatchItem[] = [];
  for (const [index, p] of pictures.entries()) {
    if (gone()) throw clientGoneError();
    const answer = await recognizePicture(c, p).catch((err: unknown) => {
      const h = httpError(err);
      if (h.status === 500) log.error({ err }, 'picture failed');
      return pictureFailure(p.file, h);
    });
    out.push({ index, ...answer });
  }
  return out;
}
