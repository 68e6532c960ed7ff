/**
 * The service's job routes (`ferkit serve --redis`): POST /v1/jobs puts
 * pictures or a video on the queue that `ferkit worker` processes take jobs
 * from; GET /v1/jobs/:id answers its state, progress and result; GET
 * /v1/jobs/:id/events streams its progress as server-sent events. Uploads
 * are checked under the limits of /v1/recognize before they are queued.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobClient, JobEvent, SubmitInput } from '../queue/client.js';
import type { VideoJobOptions } from '../queue/jobs.js';
import { videoContainer } from '../video/signature.js';
import { checkPicture, HttpError, IMAGE_TYPES, SECURITY_HEADERS } from './http.js';
import { errorSchema, jobCreatedSchema, jobQuerySchema, jobStatusSchema } from './schemas.js';
import type { RouteDoc } from './openapi.js';

/** An uploaded video must begin as a container does: random bytes are refused (415) rather than stored for a worker. */
function checkVideo(bytes: Uint8Array): void {
  if (!videoContainer(bytes))
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the upload is not a video container ferkit reads; send an MP4, MOV, MKV, WebM, AVI or MPEG file');
}

const VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime', 'video/x-matroska', 'video/x-msvideo', 'video/mpeg'];

/** Where a job's input is, when the client does not upload it: an http(s) URL, or an absolute path on the workers. */
function reference(s: unknown): SubmitInput {
  if (typeof s !== 'string' || !s)
    throw new HttpError(400, 'BAD_REQUEST', 'each of "images" and "video" names an http(s) URL or an absolute path on the workers');
  if (/^https?:\/\//i.test(s)) return { name: s, url: s };
  if (s.startsWith('/')) return { name: s, path: s };
  throw new HttpError(
    400,
    'BAD_REQUEST',
    `"${s}" is neither an http(s) URL nor an absolute path; upload the file instead (multipart field "image" or "video")`,
  );
}

export async function registerJobRoutes(
  app: FastifyInstance,
  jobs: JobClient,
  limits: { bodyBytes: number; pixels: number; images: number },
  docs: RouteDoc[],
): Promise<void> {
  await app.register(async (sub) => {
    sub.addContentTypeParser(VIDEO_TYPES, { parseAs: 'buffer', bodyLimit: limits.bodyBytes }, (_req, body, done) => done(null, body));
    sub.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new HttpError(400, 'BAD_REQUEST', 'the body is not valid JSON'), undefined);
      }
    });
    const route = (doc: RouteDoc, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
      docs.push(doc);
      sub.route({
        method: doc.method,
        url: doc.url,
        schema: { ...(doc.query ? { querystring: doc.query } : {}), ...(doc.params ? { params: doc.params } : {}), response: doc.responses },
        handler,
      });
    };

    route(
      {
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
      },
      async (req, reply) => {
        const q = req.query as VideoJobOptions;
        const video: VideoJobOptions = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
        const pictures: SubmitInput[] = [];
        let movie: SubmitInput | undefined;
        if (req.isMultipart()) {
          let total = 0;
          for await (const part of req.parts()) {
            if (part.type !== 'file' || (part.fieldname !== 'image' && part.fieldname !== 'video'))
              throw new HttpError(
                400,
                'BAD_REQUEST',
                `unexpected multipart field "${part.fieldname}"; send pictures as file fields "image", or a video as "video"`,
              );
            const bytes = await part.toBuffer();
            total += bytes.length;
            if (part.file.truncated || total > limits.bodyBytes)
              throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the files are over ${limits.bodyBytes} bytes together; send fewer or smaller ones, or a URL`);
            const name = part.filename || part.fieldname;
            if (part.fieldname === 'video') {
              if (movie) throw new HttpError(400, 'BAD_REQUEST', 'one video per job; send each as its own job');
              checkVideo(bytes);
              movie = { name, bytes };
            } else {
              await checkPicture(bytes, limits.pixels);
              pictures.push({ name, bytes });
            }
          }
        } else if (req.body instanceof Uint8Array) {
          const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
          if (VIDEO_TYPES.includes(type)) {
            checkVideo(req.body);
            movie = { name: 'upload', bytes: req.body };
          } else {
            await checkPicture(req.body, limits.pixels);
            pictures.push({ name: 'upload', bytes: req.body });
          }
        } else if (req.body && typeof req.body === 'object') {
          const b = req.body as { images?: unknown; video?: unknown };
          if (b.images !== undefined) {
            if (!Array.isArray(b.images)) throw new HttpError(400, 'BAD_REQUEST', '"images" is a list of URLs or paths');
            pictures.push(...b.images.map(reference));
          }
          if (b.video !== undefined) movie = reference(b.video);
        }
        if (movie && pictures.length) throw new HttpError(400, 'BAD_REQUEST', 'send pictures or one video, not both');
        if (!movie && !pictures.length)
          throw new HttpError(
            400,
            'BAD_REQUEST',
            'nothing to do: send multipart fields "image" or "video", a picture or video body, or JSON {"images": [...]} or {"video": ...}',
          );
        if (pictures.length > limits.images) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `${pictures.length} pictures; at most ${limits.images} per job`);
        const id = movie ? await jobs.submitVideo(movie, video) : await jobs.submitPictures(pictures);
        reply.code(202).header('location', `/v1/jobs/${id}`);
        return { id };
      },
    );

    const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
    const known = async (id: string) => {
      const s = await jobs.status(id);
      if (!s) throw new HttpError(404, 'NOT_FOUND', `no job ${id}: unknown, or its result has expired`);
      return s;
    };
    route(
      {
        method: 'GET',
        url: '/v1/jobs/:id',
        summary: "A job's state, progress, and its result or error",
        params,
        responses: { 200: jobStatusSchema, 404: errorSchema },
      },
      async (req) => known((req.params as { id: string }).id),
    );

    route(
      {
        method: 'GET',
        url: '/v1/jobs/:id/events',
        summary:
          "A job's progress as server-sent events: `state` (its status now), `progress` ({done, total, unit}) as it goes, then `completed` or `failed` (its status) and the stream ends",
        params,
        eventStream: true,
        responses: { 200: jobStatusSchema, 404: errorSchema },
      },
      async (req, reply) => {
        const id = (req.params as { id: string }).id;
        await known(id);
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
        const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        let ended = false;
        let unsubscribe = () => {};
        const heartbeat = setInterval(() => raw.write(': still here\n\n'), 15_000);
        const end = () => {
          if (ended) return;
          ended = true;
          clearInterval(heartbeat);
          unsubscribe();
          raw.end();
        };
        raw.on('close', end);
        // events that come before the state is sent wait for it, so that `state` is always first
        let early: JobEvent[] | undefined = [];
        const deliver = (e: JobEvent) => {
          if (ended) return;
          if (e.type === 'progress') send('progress', e.progress);
          else {
            send(e.type, e.status);
            end();
          }
        };
        unsubscribe = await jobs.subscribe(id, (e) => {
          if (early) early.push(e);
          else deliver(e);
        });
        // its state once listening, so that an end in between is not missed
        const s = await jobs.status(id);
        const waiting = early;
        early = undefined;
        if (ended) return;
        if (!s) return end();
        const { result: _result, ...state } = s;
        send('state', state);
        if (s.state === 'completed' || s.state === 'failed') {
          send(s.state, s);
          end();
          return;
        }
        for (const e of waiting) deliver(e);
      },
    );
  });
}
