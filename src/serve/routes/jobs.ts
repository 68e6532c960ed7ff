/**
 * The service's job routes (`ferkit serve --redis`): POST /v1/jobs puts
 * pictures or a video on the queue that `ferkit worker` processes take jobs
 * from; GET /v1/jobs/:id answers its state, progress and result; GET
 * /v1/jobs/:id/events streams its progress as server-sent events. Uploads
 * are checked under the limits of /v1/recognize before they are queued.
 */
import type { FastifyInstance } from 'fastify';
import type { JobClient } from '../../queue/client.js';
import { HttpError } from '../http.js';
import type { RouteDoc } from '../openapi.js';
import { VIDEO_TYPES, type UploadLimits } from '../uploads.js';
import { registerJobEvents } from './jobs-events.js';
import { registerJobStatus } from './jobs-status.js';
import { registerJobSubmit } from './jobs-submit.js';

/** Registers the job routes, in a scope of their own that also reads video and JSON bodies. */
export async function registerJobRoutes(app: FastifyInstance, jobs: JobClient, limits: UploadLimits, docs: RouteDoc[]): Promise<void> {
  await app.register(async (sub) => {
    addJobBodyParsers(sub, limits.bodyBytes);
    registerJobSubmit(sub, docs, jobs, limits);
    registerJobStatus(sub, docs, jobs);
    registerJobEvents(sub, docs, jobs);
  });
}

/** Video bodies as bytes (up to `bodyBytes`), and JSON bodies (up to 64 KiB) parsed, a malformed one answered 400. */
function addJobBodyParsers(app: FastifyInstance, bodyBytes: number): void {
  app.addContentTypeParser(VIDEO_TYPES, { parseAs: 'buffer', bodyLimit: bodyBytes }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new HttpError(400, 'BAD_REQUEST', 'the body is not valid JSON'), undefined);
    }
  });
}
