/** GET /v1/jobs/:id: a job's state, progress, and its result or error. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobClient, JobStatus } from '../../queue/client.js';
import { HttpError } from '../http.js';
import type { RouteDoc } from '../openapi.js';
import { errorSchema, jobStatusSchema } from '../schemas.js';
import { addRoute } from './route.js';

/** The path parameter of a job's routes. */
export const jobParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** The job a request names (`:id`). */
export const jobId = (req: FastifyRequest): string => (req.params as { id: string }).id;

/** A job's status, or 404 for an unknown id (or one whose result has expired). */
export async function knownJob(jobs: JobClient, id: string): Promise<JobStatus> {
  const s = await jobs.status(id);
  if (!s) throw new HttpError(404, 'NOT_FOUND', `no job ${id}: unknown, or its result has expired`);
  return s;
}

export function registerJobStatus(app: FastifyInstance, docs: RouteDoc[], jobs: JobClient): void {
  addRoute(
    app,
    docs,
    {
      method: 'GET',
      url: '/v1/jobs/:id',
      summary: "A job's state, progress, and its result or error",
      params: jobParams,
      responses: { 200: jobStatusSchema, 404: errorSchema },
    },
    async (req) => knownJob(jobs, jobId(req)),
  );
}
