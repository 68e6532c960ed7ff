/**
 * `ferkit worker`: a BullMQ worker that runs ferkit's recognizer on the
 * jobs of a queue in Redis. Any number of them, on any number of machines,
 * share one queue. A video is cut into segments analysed by several workers
 * at once (child jobs of the video's job); the last step joins them into one
 * timeline. Retries, backoff and taking over the jobs of a worker that died
 * are BullMQ's.
 */
import { basename } from 'node:path';
import { Job, Queue, UnrecoverableError, WaitingChildrenError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FerkitError, isCallerError } from '../core/errors.js';
import { EMOTIONS, type Emotion } from '../core/labels.js';
import { DEFAULT_UNCERTAIN_BELOW, type FaceEmotion } from '../core/recognizer.js';
import { pictureRecord, type PictureRecord } from '../core/results.js';
import { createRecognizer, type Recognizer, type RecognizerOptions } from '../node/index.js';
import { defaultModelDir, resolveModelDir } from '../fs/paths.js';
import { loadRgb } from '../fs/picture.js';
import { analyzeVideo, VideoTimeline } from '../video/analyze.js';
import { frameFaces, type VideoTracking } from '../video/frame-faces.js';
import { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
import { probeVideo, readFrames, videoSource, type EarlyEnd } from '../video/source.js';
import { deleteBlobs } from './blobs.js';
import { removeStaleScratchDirs } from './scratch.js';
import { planVideo, videoLimits, type VideoJobLimits } from './video-plan.js';
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
   * What a video job may cost: segments per video (64), seconds per video
   * (4 h; a longer claim is refused), the longest reading of a live stream
   * (10 min) and the longest wait for a stream's next frame (20 s).
   */
  videoLimits?: Partial<VideoJobLimits>;
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
  /**
   * Stops taking jobs and disconnects, within seconds: a video or a batch
   * of pictures in hand is stopped (its ffmpeg killed, its temporary files
   * removed) and handed back to the queue, where another worker takes it
   * from the start; a picture being recognised is finished first.
   */
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
  const limitsOfVideos = videoLimits(options.videoLimits);
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
  // what a worker killed before it could clean up left behind (an uploaded video written for ffmpeg)
  const stale = await removeStaleScratchDirs();
  if (stale.length) log(`removed ${stale.length} temporary folder${stale.length > 1 ? 's' : ''} left by stopped workers`);
  const jobs = { recognizer, uncertainBelow, ctx, queue, model, redis, queueName, videoLimits: limitsOfVideos };
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
    // `signal` is aborted when this worker stops (close, SIGTERM): the job is then handed back, not failed
    async (job: AnyJob, token: string | undefined, signal: AbortSignal | undefined) => {
      const c = { ...jobs, keepLock: keepLock(job, token), signal, handBack: () => handBack(job, token) };
      try {
        switch (job.name) {
          case 'ping':
            return { kind: 'ping' };
          case 'pictures':
            return await picturesJob(job as Job<PicturesJobData>, c);
          case 'segment':
            return await segmentJob(job as Job<SegmentJobData>, c);
          case 'video':
            return await videoJob(job as Job<VideoJobData>, token ?? '', c);
        }
        throw new FerkitError('BAD_ARGUMENT', `unknown job "${job.name}"; this worker runs pictures and video jobs`);
      } catch (err) {
        if (err instanceof WaitingChildrenError || err instanceof WaitingError) throw err;
        // a reading stopped because this worker stops is not the job's failure
        if (signal?.aborted) await c.handBack();
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
      // the jobs in hand stop at their next frame or picture and go back to the queue
      worker.cancelAllJobs('the worker is stopping');
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
  videoLimits: VideoJobLimits;
  /** Renews the job's lock (between frames and pictures). */
  keepLock: () => Promise<void>;
  /** Aborted when this worker stops: reading ends, and the job is handed back. */
  signal: AbortSignal | undefined;
  /** Hands the job back to the queue, for another worker to take from the start. */
  handBack: () => Promise<never>;
}

/**
 * Where ffmpeg reads a job's video (inputs.ts: videoLocation), given up at
 * once when the worker stops: a download still under way then has its
 * temporary file removed when it ends.
 */
async function locate(input: JobInput, c: JobContext): Promise<{ location: string; release: () => Promise<void> }> {
  const signal = c.signal;
  // a download that stalls or trickles fails with TIMEOUT, as a stream that sends no frame does
  const pending = videoLocation(input, c.ctx, { stallMs: c.videoLimits.readTimeoutMs, ...(signal ? { signal } : {}) });
  if (!signal) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      pending.then(
        (l) => l.release(),
        () => {},
      );
      reject(new FerkitError('UNAVAILABLE', `${input.name}: the worker stopped before the video was read; the job goes back to the queue`));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (l) => {
        signal.removeEventListener('abort', onAbort);
        resolve(l);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Puts a job this worker is stopping in the middle of back in the queue (not failed: its input is not at fault). */
async function handBack(job: AnyJob, token: string | undefined): Promise<never> {
  if (token) await job.moveToWait(token);
  throw new WaitingError();
}

/** The uploads a job reads. */
function blobsOf(job: AnyJob): string[] {
  const d = job.data as Partial<PicturesJobData & VideoJobData>;
  const inputs: JobInput[] = [...(d.pictures ?? []), ...(d.video ? [d.video] : [])];
  return inputs.flatMap((i) => ('blob' in i.source ? [i.source.blob] : []));
}

async function picturesJob(job: Job<PicturesJobData>, c: JobContext): Promise<PicturesResult> {
  const { pictures } = job.data;
  const out: PictureRecord[] = [];
  for (const [i, p] of pictures.entries()) {
    if (c.signal?.aborted) await c.handBack();
    try {
      const image = await loadRgb(await pictureBytes(p, c.ctx));
      const [faces] = await c.recognizer.recognizeRgb([image]);
      out.push(pictureRecord(p.name, faces));
    } catch (err) {
      // one picture: its error is the job's; several: a caller's error (a bad picture) is reported in its place, as `ferkit predict` does
      if (pictures.length === 1 || !(err instanceof FerkitError) || !isCallerError(err.code)) throw err;
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
    const { location, release } = await locate(video, c);
    try {
      const source = videoSource(location);
      const info = await probeVideo(source, { signal: c.signal });
      // what the video is, not what its header says: a length over the limit is refused, one its size does not bear out
      // (or a live stream) is read whole, for at most the limit; segments are capped in number
      const how = planVideo(info, { fps, segmentSeconds }, c.videoLimits, video.name);
      if (how.kind === 'whole') {
        const timeline: FrameRecord[] = [];
        const progress = throttle(500);
        const total = how.totalFrames ?? Math.ceil(how.maxSeconds * fps);
        const summary = await analyzeVideo(c.recognizer, source, {
          fps,
          maxSide,
          ...(options.smoothing !== undefined ? { smoothing: options.smoothing } : {}),
          tracking,
          maxSeconds: how.maxSeconds,
          readTimeoutMs: c.videoLimits.readTimeoutMs,
          ...(c.signal ? { signal: c.signal } : {}),
          onFrameFaces: async (frame, faces) => {
            for (const { entry, face } of faces) timeline.push(frameRecord(entry, smoothedFace(entry, face, c.uncertainBelow)));
            if (progress(false))
              await job.updateProgress({ done: frame.index + 1, total: Math.max(total, frame.index + 1), unit: 'frames' } satisfies JobProgress);
            await c.keepLock();
          },
        });
        // stopped by this worker's own stop: what was read is not the job's result
        if (c.signal?.aborted) await c.handBack();
        return { kind: 'video', model: c.model, segments: 1, timeline, summary: { ...summary, file: video.name } };
      }
      const segments = how.segments;
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
  // the video ended where the first segment to find its end found it (the segments past it read nothing)
  const ends = Object.values(values).flatMap((v) => (v.endedAt !== undefined ? [v.endedAt] : []));
  const endedAt = ends.length ? Math.min(...ends) : undefined;
  const timeline = new VideoTimeline(options.smoothing !== undefined ? { smoothing: options.smoothing } : {});
  const records: FrameRecord[] = [];
  for (const f of frames) {
    const faces = f.faces.map((s) => ({ box: s.box, score: s.score, roll: s.roll, emotions: asRecord(s.emotions) }));
    for (const { entry, face } of timeline.add(f, faces)) records.push(frameRecord(entry, smoothedFace(entry, face, c.uncertainBelow)));
  }
  await c.redis.del(progressKey(c.queueName, job.id!), endKey(c.queueName, job.id!));
  const summary = timeline.summary({ file: video.name, video: plan.video, sampledFps: fps });
  const endedEarly: EarlyEnd | undefined =
    endedAt === undefined
      ? undefined
      : {
          seconds: endedAt / fps,
          endTime: endedAt / fps,
          expectedSeconds: plan.video.duration,
          message: `${video.name}: the video ends early, after ${(endedAt / fps).toFixed(1)} s of the ${plan.video.duration.toFixed(1)} s its header announces; the file may be cut short or damaged, or its header wrong`,
        };
  return { kind: 'video', model: c.model, segments: plan.segments.length, timeline: records, summary: { ...summary, ...(endedEarly ? { endedEarly } : {}) } };
}

/** A job's detectEvery as the video's tracking: absent, the default; 0, a search of every frame. */
function videoTracking(detectEvery: number | undefined): VideoTracking {
  if (detectEvery === undefined) return {};
  if (!(typeof detectEvery === 'number' && Number.isFinite(detectEvery) && detectEvery >= 0))
    throw new FerkitError('BAD_ARGUMENT', `detectEvery must be 0 or more seconds (0: search every frame), got ${String(detectEvery)}`);
  return detectEvery === 0 ? false : { detectEvery };
}

const progressKey = (queue: string, parentId: string) => `ferkit:${queue}:progress:${parentId}`;
/** Where a video's segments found it to end (frame index, per segment), so that the segments past the end read nothing. */
const endKey = (queue: string, parentId: string) => `ferkit:${queue}:end:${parentId}`;

/** A segment of a video: each sampled frame's faces, unsmoothed, for the join. */
async function segmentJob(job: Job<SegmentJobData>, c: JobContext): Promise<SegmentResult> {
  const d = job.data;
  const parentId = job.parent?.id;
  const first = Math.round(d.start * d.fps);
  // a segment that starts past where another found the video to end reads nothing: it is not fetched again
  if (parentId) {
    const ends = (await c.redis.hvals(endKey(c.queueName, parentId))).map(Number);
    const end = Math.min(Infinity, ...ends);
    if (end <= first) return { frames: [], endedAt: end };
  }
  const { location, release } = await locate(d.video, c);
  const frames: SegmentResult['frames'] = [];
  let endedAt: number | undefined;
  const progress = throttle(500);
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
    const info = await probeVideo(source, { signal: c.signal });
    // each segment starts with a search of its first frame, so segments are followed independently
    const facesOf = frameFaces(c.recognizer, videoTracking(d.detectEvery));
    const reading = readFrames(
      source,
      {
        fps: d.fps,
        maxSide: d.maxSide,
        start: d.start,
        duration: d.duration,
        readTimeoutMs: c.videoLimits.readTimeoutMs,
        ...(c.signal ? { signal: c.signal } : {}),
        // the video ends before this segment does: said to the other segments, and to the join
        onEarlyEnd: (e) => {
          endedAt = Math.round((e.endTime ?? d.start + e.seconds) * d.fps);
        },
      },
      info,
    );
    for await (const frame of reading) {
      const faces = await facesOf(frame);
      frames.push({ index: frame.index, time: frame.time, faces: faces.map(slim) });
      await report(false);
      await c.keepLock();
    }
    if (c.signal?.aborted) await c.handBack();
    if (endedAt !== undefined && parentId) {
      const key = endKey(c.queueName, parentId);
      await c.redis.multi().hset(key, String(d.index), endedAt).expire(key, 86_400).exec();
    }
    await report(true);
  } finally {
    await release();
  }
  return { frames, ...(endedAt !== undefined ? { endedAt } : {}) };
}
