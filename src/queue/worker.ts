/**
 * `ferkit worker`: a BullMQ worker that runs ferkit's recognizer on the
 * jobs of a queue in Redis. Any number of them, on any number of machines,
 * share one queue. A video is cut into segments analysed by several workers
 * at once (child jobs of the video's job); the last step joins them into one
 * timeline. Retries, backoff and taking over the jobs of a worker that died
 * are BullMQ's.
 */
import { basename } from 'node:path';
import { Job, Queue, UnrecoverableError, WaitingChildrenError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FerkitError } from '../errors.js';
import { EMOTIONS, type Emotion } from '../labels.js';
import { DEFAULT_UNCERTAIN_BELOW, type FaceEmotion } from '../recognizer.js';
import { pictureRecord, type PictureRecord } from '../results.js';
import { createRecognizer, type Recognizer, type RecognizerOptions } from '../node/recognizer.js';
import { defaultModelDir, resolveModelDir } from '../node/model-folder.js';
import { loadRgb } from '../node/decode.js';
import { analyzeVideo, VideoTimeline } from '../video/analyze.js';
import { frameFaces, type VideoTracking } from '../video/frame-faces.js';
import { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
import { probeVideo, readFrames, videoSource } from '../video/source.js';
import { deleteBlobs } from './blobs.js';
import { allowList, allowListFromEnv } from '../video/fetch-guard.js';
import { DEFAULT_INPUT_LIMITS, pictureBytes, videoLocation, type InputContext, type InputLimits } from './inputs.js';
import {
  DEFAULT_QUEUE,
  jobError,
  type JobInput,
  type JobProgress,
  type PicturesJobData,
  type PicturesResult,
  type SegmentFace,
  type SegmentJobData,
  type SegmentResult,
  type VideoJobData,
  type VideoResult,
} from './jobs.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, quiet, redisConnection, redisUp, waitForRedis, watchConnection } from './redis.js';

export interface WorkerOptions {
  /** The Redis of the queue: redis://[user:password@]host:port[/db]. */
  redis: string;
  /** Queue name. Default `ferkit`. */
  queue?: string;
  /** Jobs this process works on at once. Default 1. */
  concurrency?: number;
  /** The recognizer: model, detector, backend. Default: the bundled default model. */
  recognizer?: RecognizerOptions;
  /** Folders under which jobs may name files to read (absolute paths); none by default: jobs then upload bytes or give URLs. */
  readRoots?: string[];
  limits?: Partial<InputLimits>;
  /**
   * Hosts and ranges that job URLs may reach although they are not public
   * (`10.0.0.0/8`, `fd00::/8`, `minio.internal`, `*.corp.example`): by
   * default a job URL that resolves to a loopback, private, link-local,
   * multicast or reserved address is refused. Default: FERKIT_ALLOW_HOSTS.
   */
  allowHosts?: string | readonly string[];
  /** How long a job's lock lasts without renewal, in ms: a worker that dies loses its jobs to others after about this. Default 30 000. */
  lockDurationMs?: number;
  /** How often the worker looks for jobs whose worker died, in ms. Default 30 000. */
  stalledIntervalMs?: number;
  /** Times a job may be taken over from a worker that stopped renewing its lock before it fails. Default 2. */
  maxStalledCount?: number;
  /**
   * Longest wait for Redis at start, in ms: past it, `startWorker` fails
   * with UNAVAILABLE, naming the address. Default 10 000. A connection lost
   * later is retried with backoff for as long as it takes (said once in the log).
   */
  connectTimeoutMs?: number;
  /** Called with a line about each job as it finishes, and when the connection to Redis is lost or back. */
  log?: (line: string) => void;
}

export interface QueueWorker {
  readonly worker: Worker;
  /** The model's name, as results report it. */
  readonly model: string;
  /** Stops taking jobs, waits for those running, and disconnects. */
  close(): Promise<void>;
}

type AnyJob = Job<unknown, unknown, string>;

/** Starts a worker: resolves once the model is loaded and the worker is taking jobs. */
export async function startWorker(options: WorkerOptions): Promise<QueueWorker> {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new FerkitError('BAD_ARGUMENT', `concurrency must be a whole number of at least 1, got ${concurrency}`);
  // a bad allow list is refused before anything is started
  const allow = options.allowHosts !== undefined ? allowList(options.allowHosts) : allowListFromEnv();
  const log = options.log ?? (() => {});
  // Redis first: an unreachable one fails in seconds, before the model is loaded
  const redis = redisConnection(options.redis);
  await waitForRedis(redis, options.redis, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  watchConnection(redis, options.redis, log);
  let recognizer: Recognizer;
  let modelDir: string;
  try {
    modelDir = resolveModelDir(options.recognizer?.model ?? defaultModelDir());
    recognizer = await createRecognizer({ ...options.recognizer, model: modelDir });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const model = options.recognizer?.model ?? basename(modelDir);
  const uncertainBelow = options.recognizer?.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  // the first inferences prepare the engine's kernels, which holds the process for a while: do it before taking
  // jobs, so that a job's lock is not left unrenewed for that long
  await recognizer.recognizeRgb([{ data: new Uint8Array(320 * 240 * 3).fill(128), width: 320, height: 240 }]);
  await recognizer.classify(new Uint8Array(48 * 48).fill(128));
  const queue = new Queue(queueName, { connection: redis });
  queue.on('error', () => {});
  const ctx: InputContext = {
    redis,
    readRoots: options.readRoots ?? [],
    limits: { ...DEFAULT_INPUT_LIMITS, ...options.limits },
    allow,
  };
  const jobs = { recognizer, uncertainBelow, ctx, queue, model, redis, queueName };
  const lockDuration = options.lockDurationMs ?? 30_000;
  /**
   * Renews a job's lock and lets timers run, between frames and pictures:
   * the engine holds the process while it works, so BullMQ's own renewal
   * timer may come late on a busy machine, and a busy worker would be taken
   * for a dead one.
   */
  const keepLock = (job: AnyJob, token: string | undefined) => async () => {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (token) await job.extendLock(token, lockDuration);
  };

  const blocking = quiet(redis.duplicate());
  const worker = new Worker(
    queueName,
    async (job: AnyJob, token?: string) => {
      try {
        switch (job.name) {
          case 'ping':
            return { kind: 'ping' };
          case 'pictures':
            return await picturesJob(job as Job<PicturesJobData>, { ...jobs, keepLock: keepLock(job, token) });
          case 'segment':
            return await segmentJob(job as Job<SegmentJobData>, { ...jobs, keepLock: keepLock(job, token) });
          case 'video':
            return await videoJob(job as Job<VideoJobData>, token ?? '', { ...jobs, keepLock: keepLock(job, token) });
        }
        throw new FerkitError('BAD_ARGUMENT', `unknown job "${job.name}"; this worker runs pictures and video jobs`);
      } catch (err) {
        if (err instanceof WaitingChildrenError) throw err;
        throw jobError(err);
      }
    },
    {
      connection: blocking,
      concurrency,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
      autorun: true,
    },
  );
  worker.on('completed', (job: AnyJob) => {
    log(`${job.name} ${job.id}: done in ${Date.now() - (job.processedOn ?? Date.now())} ms`);
    // a segment's video is still read by the other segments; the video's job deletes it
    if (job.name !== 'segment') void deleteBlobs(redis, blobsOf(job)).catch(() => {});
  });
  worker.on('failed', (job: AnyJob | undefined, err: Error) => {
    if (!job) return;
    const final = job.finishedOn !== undefined || err instanceof UnrecoverableError;
    log(`${job.name} ${job.id}: ${final ? 'failed' : `attempt ${job.attemptsMade} failed, will retry`}: ${err.message}`);
    // a segment that fails for good fails its video: its upload is not needed any more
    if (final) void deleteBlobs(redis, blobsOf(job)).catch(() => {});
  });
  // while Redis is away its errors are the connection's, said once by its watcher
  worker.on('error', (err) => {
    if (redisUp(redis) && !isConnectionError(err)) log(`worker error: ${err.message}`);
  });
  await worker.waitUntilReady();
  return {
    worker,
    model,
    close: async () => {
      await worker.close();
      await queue.close();
      blocking.disconnect();
      redis.disconnect();
      recognizer.dispose();
    },
  };
}

/** A driver error about the connection itself (said by the watcher), not about a job. */
const isConnectionError = (err: Error) =>
  /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test((err as Error & { code?: string }).code ?? '') ||
  /Connection is closed|connect ECONNREFUSED/.test(err.message);

interface JobContext {
  recognizer: Recognizer;
  uncertainBelow: number;
  ctx: InputContext;
  queue: Queue;
  model: string;
  redis: Redis;
  queueName: string;
  /** Renews the job's lock (between frames and pictures). */
  keepLock: () => Promise<void>;
}

/** The uploads a job reads. */
function blobsOf(job: AnyJob): string[] {
  const d = job.data as Partial<PicturesJobData & VideoJobData>;
  const inputs: JobInput[] = [...(d.pictures ?? []), ...(d.video ? [d.video] : [])];
  return inputs.flatMap((i) => ('blob' in i.source ? [i.source.blob] : []));
}

const BAD_INPUT = new Set(['BAD_ARGUMENT', 'DATA_NOT_FOUND', 'BAD_DATA', 'BAD_IMAGE']);

async function picturesJob(job: Job<PicturesJobData>, c: JobContext): Promise<PicturesResult> {
  const { pictures } = job.data;
  const out: PictureRecord[] = [];
  for (const [i, p] of pictures.entries()) {
    try {
      const image = await loadRgb(await pictureBytes(p, c.ctx));
      const [faces] = await c.recognizer.recognizeRgb([image]);
      out.push(pictureRecord(p.name, faces));
    } catch (err) {
      // one picture: its error is the job's; several: a bad one is reported in its place, as `ferkit predict` does
      if (pictures.length === 1 || !(err instanceof FerkitError) || !BAD_INPUT.has(err.code)) throw err;
      out.push({ file: p.name, faces: [], error: { code: err.code, message: err.message } });
    }
    await job.updateProgress({ done: i + 1, total: pictures.length, unit: 'pictures' } satisfies JobProgress);
    await c.keepLock();
  }
  return { kind: 'pictures', model: c.model, pictures: out };
}

const asRecord = (v: readonly number[]) => Object.fromEntries(EMOTIONS.map((e, i) => [e, v[i]])) as Record<Emotion, number>;
const slim = (f: FaceEmotion): SegmentFace => ({ box: { ...f.box }, score: f.score, roll: f.roll, emotions: EMOTIONS.map((e) => f.emotions[e]) });

/** True at most every `ms` (and always when `force`): for progress reports. */
function throttle(ms: number): (force: boolean) => boolean {
  let last = 0;
  return (force) => {
    const now = Date.now();
    if (!force && now - last < ms) return false;
    last = now;
    return true;
  };
}

/**
 * A video job. First step: probe the video and, if it is long enough, cut it
 * into segments, add a child job for each, and wait for them. Last step
 * (when every segment is done): join the segments' frames, in order, into
 * one timeline, tracks and summary, as one reading of the file gives.
 */
async function videoJob(job: Job<VideoJobData>, token: string, c: JobContext): Promise<VideoResult> {
  const { video, options } = job.data;
  const fps = options.fps ?? 5;
  const maxSide = options.maxSide ?? 1280;
  const segmentSeconds = options.segmentSeconds ?? 60;
  const tracking = videoTracking(options.detectEvery);
  let plan = job.data.plan;
  if (!plan) {
    const { location, release } = await videoLocation(video, c.ctx);
    try {
      const source = videoSource(location);
      const info = await probeVideo(source);
      // segments are whole numbers of sampled frames, so each starts where a reading from 0 samples a frame
      const perSegment = Math.max(1, Math.round(segmentSeconds * fps));
      const totalFrames = Number.isFinite(info.duration) ? Math.ceil(info.duration * fps) : Infinity;
      const count = totalFrames < Infinity ? Math.max(1, Math.round(totalFrames / perSegment)) : 1;
      if (count === 1) {
        const timeline: FrameRecord[] = [];
        const progress = throttle(500);
        const summary = await analyzeVideo(c.recognizer, source, {
          fps,
          maxSide,
          ...(options.smoothing !== undefined ? { smoothing: options.smoothing } : {}),
          tracking,
          onFrameFaces: async (frame, faces) => {
            for (const { entry, face } of faces) timeline.push(frameRecord(entry, smoothedFace(entry, face, c.uncertainBelow)));
            if (progress(false)) await job.updateProgress({ done: frame.index + 1, total: totalFrames, unit: 'frames' } satisfies JobProgress);
            await c.keepLock();
          },
        });
        return { kind: 'video', model: c.model, segments: 1, timeline, summary: { ...summary, file: video.name } };
      }
      const segments = Array.from({ length: count }, (_, i) => ({
        start: (i * perSegment) / fps,
        duration: i === count - 1 ? Math.max(totalFrames - i * perSegment, 1) / fps + 1 : perSegment / fps,
      }));
      plan = { video: info, segments };
      await job.updateData({ ...job.data, plan });
    } finally {
      await release();
    }
  }
  let values = await job.getChildrenValues<SegmentResult>();
  if (Object.keys(values).length < plan.segments.length) {
    // the segments not done yet (all, the first time; after a restart, children already there keep their ids and are not added twice)
    const perSegment = Math.round((plan.segments[0].duration || 1) * fps);
    const done = new Set(Object.keys(values).map((k) => k.slice(k.lastIndexOf(':') + 1)));
    await c.queue.addBulk(
      plan.segments
        .flatMap((s, index) => (done.has(`${job.id}-s${index}`) ? [] : [{ s, index }]))
        .map(({ s, index }) => ({
          name: 'segment',
          data: {
            video,
            fps,
            maxSide,
            start: s.start,
            duration: s.duration,
            index,
            frames: index === plan!.segments.length - 1 ? Math.max(1, Math.ceil(plan!.video.duration * fps) - index * perSegment) : perSegment,
            ...(options.detectEvery !== undefined ? { detectEvery: options.detectEvery } : {}),
          } satisfies SegmentJobData,
          opts: {
            jobId: `${job.id}-s${index}`,
            parent: { id: job.id!, queue: job.queueQualifiedName },
            failParentOnFailure: true,
            attempts: job.opts.attempts,
            backoff: job.opts.backoff,
            removeOnComplete: job.opts.removeOnComplete,
            removeOnFail: job.opts.removeOnFail,
          },
        })),
    );
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    values = await job.getChildrenValues<SegmentResult>();
  }
  const frames = Object.values(values)
    .flatMap((v) => v.frames)
    .sort((a, b) => a.index - b.index);
  const timeline = new VideoTimeline(options.smoothing !== undefined ? { smoothing: options.smoothing } : {});
  const records: FrameRecord[] = [];
  for (const f of frames) {
    const faces = f.faces.map((s) => ({ box: s.box, score: s.score, roll: s.roll, emotions: asRecord(s.emotions) }));
    for (const { entry, face } of timeline.add(f, faces)) records.push(frameRecord(entry, smoothedFace(entry, face, c.uncertainBelow)));
  }
  await c.redis.del(progressKey(c.queueName, job.id!));
  const summary = timeline.summary({ file: video.name, video: plan.video, sampledFps: fps });
  return { kind: 'video', model: c.model, segments: plan.segments.length, timeline: records, summary };
}

/** A job's detectEvery as the video's tracking: absent, the default; 0, a search of every frame. */
function videoTracking(detectEvery: number | undefined): VideoTracking {
  if (detectEvery === undefined) return {};
  if (!(typeof detectEvery === 'number' && Number.isFinite(detectEvery) && detectEvery >= 0))
    throw new FerkitError('BAD_ARGUMENT', `detectEvery must be 0 or more seconds (0: search every frame), got ${String(detectEvery)}`);
  return detectEvery === 0 ? false : { detectEvery };
}

const progressKey = (queue: string, parentId: string) => `ferkit:${queue}:progress:${parentId}`;

/** A segment of a video: each sampled frame's faces, unsmoothed, for the join. */
async function segmentJob(job: Job<SegmentJobData>, c: JobContext): Promise<SegmentResult> {
  const d = job.data;
  const { location, release } = await videoLocation(d.video, c.ctx);
  const frames: SegmentResult['frames'] = [];
  const progress = throttle(500);
  const parentId = job.parent?.id;
  const report = async (force: boolean) => {
    if (!progress(force)) return;
    await job.updateProgress({ done: frames.length, total: d.frames, unit: 'frames' } satisfies JobProgress);
    if (!parentId) return;
    // the video's progress: frames done over all its segments
    const key = progressKey(c.queueName, parentId);
    await c.redis.multi().hset(key, String(d.index), frames.length).expire(key, 86_400).exec();
    const parent = await Job.fromId(c.queue, parentId);
    const plan = (parent?.data as VideoJobData | undefined)?.plan;
    if (!parent || !plan) return;
    const done = (await c.redis.hvals(key)).reduce((a, v) => a + Number(v), 0);
    const total = Math.max(1, Math.ceil(plan.video.duration * d.fps));
    await parent.updateProgress({ done: Math.min(done, total), total, unit: 'frames' } satisfies JobProgress);
  };
  try {
    const source = videoSource(location);
    const info = await probeVideo(source);
    // each segment starts with a search of its first frame, so segments are followed independently
    const facesOf = frameFaces(c.recognizer, videoTracking(d.detectEvery));
    for await (const frame of readFrames(source, { fps: d.fps, maxSide: d.maxSide, start: d.start, duration: d.duration }, info)) {
      const faces = await facesOf(frame);
      frames.push({ index: frame.index, time: frame.time, faces: faces.map(slim) });
      await report(false);
      await c.keepLock();
    }
    await report(true);
  } finally {
    await release();
  }
  return { frames };
}
