/** POST /v1/jobs: pictures or a video queued for the workers; 202 with the job's id. */
import type { FastifyInstance } from 'fastify';
import type { JobClient } from '../../queue/client.js';
import type { VideoJobOptions } from '../../queue/jobs.js';
import { IMAGE_TYPES } from '../http.js';
import type { RouteDoc } from '../openapi.js';
import { jobCreatedReply } from '../replies.js';
import { errorSchema, jobCreatedSchema, jobQuerySchema } from '../schemas.js';
import { readJobUpload, VIDEO_TYPES, type UploadLimits } from '../uploads.js';
import { addRoute } from './route.js';

const DOC: RouteDoc = {
  method: 'POST',
  url: '/v1/jobs',
  summary:
    'Queue pictures or a video for the workers: multipart fields "image" (one or more) or "video" (one), a raw picture or video body, or JSON {"images": [URL or path...]} or {"video": URL or path}',
  bodyTypes: ['multipart/form-data', 'application/json', ...IMAGE_TYPES, ...VIDEO_TYPES],
  multipartFields: ['image', 'video'],
  jsonBody: {
    type: 'object',
    properties: {
      images: { type: 'array', items: { type: 'string' }, description: 'http(s) URLs, or absolute paths the workers may read' },
      video: { type: 'string', description: 'An http(s) URL, or an absolute path the workers may read' },
    },
  },
  query: jobQuerySchema,
  responses: { 202: jobCreatedSchema, 400: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema, 429: errorSchema },
};

export function registerJobSubmit(app: FastifyInstance, docs: RouteDoc[], jobs: JobClient, limits: UploadLimits): void {
  addRoute(app, docs, DOC, async (req, reply) => {
    const upload = await readJobUpload(req, limits);
    const id = upload.kind === 'video' ? await jobs.submitVideo(upload.video, videoOptions(req.query)) : await jobs.submitPictures(upload.pictures);
    return jobCreatedReply(reply, id);
  });
}

/** A video job's options from the query string (validated by its schema), those not given left out. */
function videoOptions(query: unknown): VideoJobOptions {
  return Object.fromEntries(Object.entries(query as VideoJobOptions).filter(([, v]) => v !== undefined));
}
