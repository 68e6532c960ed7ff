/**
 * The service's answers, as clients read them: errors, recognition results,
 * its health and model, a queued job, and the server-sent events that follow
 * one. Routes parse, call the library, and hand its results to these.
 */
import type { FastifyReply } from 'fastify';
import type { ModelMetadata } from '../core/models/metadata.js';
import type { FaceRecord } from '../core/results.js';
import type { JobStatus } from '../queue/client.js';
import { SECURITY_HEADERS, type HttpError } from './http.js';

/** Answers an error in the service's shape, `{error: {code, message}}`, with its status (and Retry-After for 429 and 503). */
export function sendError(reply: FastifyReply, err: HttpError): void {
  if (err.status === 503 || err.status === 429) reply.header('retry-after', String(err.retryAfterSeconds ?? 1));
  // a body left unread (too large, stalled, cut short) is not waited for: the connection closes after the answer
  if (!reply.request.raw.complete) reply.header('connection', 'close');
  void reply
    .code(err.status)
    .type('application/json')
    .send({ error: { code: err.code, message: err.message } });
}

/** Milliseconds to one decimal, as answers give them. */
export const round = (ms: number): number => Math.round(ms * 10) / 10;

/** One picture's faces, as POST /v1/recognize answers them. */
export interface PictureResult {
  /** The picture's multipart file name, where the client gave one. */
  file?: string;
  faces: FaceRecord[];
  width: number;
  height: number;
  milliseconds: number;
}

/** A picture of a batch that failed, in its place: its file name where it has one, and its error. */
export interface PictureFailure {
  file?: string;
  error: { code: string; message: string };
}

/** A batch's answer for one picture: its place in the request, and its result or error. */
export type BatchItem = (PictureResult | PictureFailure) & { index: number };

export function pictureFailure(file: string | undefined, err: HttpError): PictureFailure {
  return { ...(file ? { file } : {}), error: { code: err.code, message: err.message } };
}

/** The answer to one picture: the model, the picture's result, and the request's time since `t0`. */
export function pictureReply(model: string, result: PictureResult, t0: number) {
  return { model, ...result, milliseconds: round(performance.now() - t0) };
}

/** The answer to a batch: the model, each picture's result or error, and the request's time since `t0`. */
export function batchReply(model: string, results: BatchItem[], t0: number) {
  return { model, results, milliseconds: round(performance.now() - t0) };
}

/** GET /v1/health: up, the model and engine, the inferences running and waiting, and the seconds since `started`. */
export function healthReply(model: string, engine: string, load: { running: number; waiting: number }, started: number) {
  return { status: 'ok', model, engine, ...load, uptimeSeconds: round((performance.now() - started) / 1000) };
}

/** GET /v1/model: the model's name as clients see it, what its metadata tells, and the recognizer's `uncertainBelow`. */
export function modelReply(name: string, m: ModelMetadata, uncertainBelow: number) {
  return {
    name,
    architecture: m.architecture,
    ...(m.description ? { description: m.description } : {}),
    ...(m.parameters !== undefined ? { parameters: m.parameters } : {}),
    labels: m.labels,
    preprocessing: m.preprocessing,
    ...(m.metrics ? { metrics: m.metrics } : {}),
    ...(m.calibration ? { calibration: m.calibration } : {}),
    uncertainBelow,
  };
}

/** POST /v1/jobs: 202, the job's id, and where to follow it. */
export function jobCreatedReply(reply: FastifyReply, id: string): { id: string } {
  reply.code(202).header('location', `/v1/jobs/${id}`);
  return { id };
}

/** A job's status without its result: the `state` event, which comes first. */
export function jobStateEvent(s: JobStatus): Omit<JobStatus, 'result'> {
  const { result: _result, ...state } = s;
  return state;
}

/** A stream of server-sent events, written past Fastify's hooks. */
export interface EventStream {
  /** Sends one event, its data as JSON; nothing once the stream has ended. */
  send(event: string, data: unknown): void;
  /** Ends the stream; again does nothing. */
  end(): void;
  /** Whether it has ended: by `end`, or by the client leaving. */
  readonly ended: boolean;
  /** Calls `fn` when the stream ends, or at once if it has. */
  onEnd(fn: () => void): void;
}

/** Takes the answer over from Fastify and opens a stream of server-sent events on it, with a comment every 15 s to keep it open. */
export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  // the answer is written here, past Fastify's hooks: the security headers of every other answer are set here too
  raw.writeHead(200, {
    ...Object.fromEntries(SECURITY_HEADERS),
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let ended = false;
  const enders: (() => void)[] = [];
  const heartbeat = setInterval(() => raw.write(': still here\n\n'), 15_000);
  const stream: EventStream = {
    send: (event, data) => {
      if (!ended) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end: () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      for (const fn of enders) fn();
      raw.end();
    },
    get ended() {
      return ended;
    },
    onEnd: (fn) => (ended ? fn() : void enders.push(fn)),
  };
  raw.on('close', stream.end);
  return stream;
}
