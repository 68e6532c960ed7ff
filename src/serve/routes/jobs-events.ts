/** GET /v1/jobs/:id/events: a job's progress as server-sent events, until it completes or fails. */
import type { FastifyInstance } from 'fastify';
import type { JobClient, JobEvent } from '../../queue/client.js';
import type { RouteDoc } from '../openapi.js';
import { jobStateEvent, openEventStream, type EventStream } from '../replies.js';
import { errorSchema, jobStatusSchema } from '../schemas.js';
import { jobId, jobParams, knownJob } from './jobs-status.js';
import { addRoute } from './route.js';

const DOC: RouteDoc = {
  method: 'GET',
  url: '/v1/jobs/:id/events',
  summary:
    "A job's progress as server-sent events: `state` (its status now), `progress` ({done, total, unit}) as it goes, then `completed` or `failed` (its status) and the stream ends",
  params: jobParams,
  eventStream: true,
  responses: { 200: jobStatusSchema, 404: errorSchema },
};

export function registerJobEvents(app: FastifyInstance, docs: RouteDoc[], jobs: JobClient): void {
  addRoute(app, docs, DOC, async (req, reply) => {
    const id = jobId(req);
    await knownJob(jobs, id);
    await followJob(jobs, id, openEventStream(reply));
  });
}

/**
 * Sends a job's events on `stream`: `state` first (its status now, without
 * its result), then `progress` as it goes, then `completed` or `failed`
 * (its status), and ends the stream.
 */
export async function followJob(jobs: JobClient, id: string, stream: EventStream): Promise<void> {
  // events that come before the state is sent wait for it, so that `state` is always first
  let early: JobEvent[] | undefined = [];
  const deliver = (e: JobEvent) => {
    if (stream.ended) return;
    if (e.type === 'progress') stream.send('progress', e.progress);
    else {
      stream.send(e.type, e.status);
      stream.end();
    }
  };
  const unsubscribe = await jobs.subscribe(id, (e) => {
    if (early) early.push(e);
    else deliver(e);
  });
  stream.onEnd(unsubscribe);
  // its state once listening, so that an end in between is not missed
  const s = await jobs.status(id);
  const waiting = early;
  early = undefined;
  if (stream.ended) return;
  if (!s) return stream.end();
  stream.send('state', jobStateEvent(s));
  if (s.state === 'completed' || s.state === 'failed') {
    stream.send(s.state, s);
    stream.end();
    return;
  }
  for (const e of waiting) deliver(e);
}
