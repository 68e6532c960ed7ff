/**
 * `ferkit worker`: a BullMQ worker that runs ferkit's recognizer on the
 * jobs of a queue in Redis. Any number of them, on any number of machines,
 * share one queue. A video is cut into segments analysed by several workers
 * at once (child jobs of the video's job); the last step joins them into one
 * timeline. Retries, backoff and taking over the jobs of a worker that died
 * are BullMQ's. Here: starting and stopping a worker, running each job by
 * its name, and logging how jobs end; the jobs themselves are in
 * picture-job.ts, video-job.ts and segment-job.ts.
 */
import { basename } from 'node:path';
import { Job, Queue, UnrecoverableError, WaitingChildrenError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FerkitError } from '../core/errors.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import { createRecognizer, type Recognizer, type RecognizerOptions } from '../node/index.js';
import { defaultModelDir, resolveModelDir } from '../fs/paths.js';
import { allowList, allowListFromEnv } from '../video/fetch-guard.js';
import { deleteBlobs } from './blobs.js';
import { DEFAULT_INPUT_LIMITS, type InputContext, type InputLimits } from './inputs.js';
import { jobContext, type AnyJob, type JobContext, type WorkerResources } from './job-context.js';
import {
  DEFAULT_QUEUE,
  jobError,
  type JobInput,
  type PicturesJobData,
  type PicturesResult,
  type SegmentJobData,
  type SegmentResult,
  type VideoJobData,
  type VideoResult,
} from './jobs.js';
import { picturesJob } from './picture-job.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, isConnectionError, quiet, redisConnection, redisUp, waitForRedis, watchConnection } from './redis.js';
import { removeStaleScratchDirs } from './scratch.js';
import { segmentJob } from './segment-job.js';
import { videoJob } from './video-job.js';
import { videoLimits, type VideoJobLimits } from './video-plan.js';

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
  const { recognizer, model, uncertainBelow } = await loadRecognizer(options.recognizer, redis);
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
  const resources: WorkerResources = { recognizer, uncertainBelow, ctx, queue, model, redis, queueName, videoLimits: limitsOfVideos };
  const lockDuration = options.lockDurationMs ?? 30_000;
  const blocking = quiet(redis.duplicate());
  const worker = new Worker(queueName, jobProcessor(resources, lockDuration), {
    connection: blocking,
    concurrency,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 2,
    autorun: true,
  });
  logJobs(worker, redis, log);
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

/**
 * Loads the recognizer (Redis is disconnected when it cannot be) and
 * prepares it for work; with the model's name, as results report it.
 */
async function loadRecognizer(
  options: RecognizerOptions | undefined,
  redis: Redis,
): Promise<{ recognizer: Recognizer; model: string; uncertainBelow: number }> {
  let recognizer: Recognizer;
  let modelDir: string;
  try {
    modelDir = resolveModelDir(options?.model ?? defaultModelDir());
    recognizer = await createRecognizer({ ...options, model: modelDir });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const model = options?.model ?? basename(modelDir);
  const uncertainBelow = options?.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  // the first inferences prepare the engine's kernels, which holds the process for a while: do it before taking
  // jobs, so that a job's lock is not left unrenewed for that long
  await recognizer.recognizeRgb([{ data: new Uint8Array(320 * 240 * 3).fill(128), width: 320, height: 240 }]);
  await recognizer.classify(new Uint8Array(48 * 48).fill(128));
  return { recognizer, model, uncertainBelow };
}

/**
 * The worker's processor: each job run by its name, its error made the
 * job's failure (jobs.ts: jobError). `signal` is aborted when this worker
 * stops (close, SIGTERM): the job is then handed back, not failed.
 */
function jobProcessor(resources: WorkerResources, lockDuration: number) {
  return async (job: AnyJob, token: string | undefined, signal: AbortSignal | undefined) => {
    const c = jobContext(resources, lockDuration, job, token, signal);
    try {
      return await runJob(job, token, c);
    } catch (err) {
      if (err instanceof WaitingChildrenError || err instanceof WaitingError) throw err;
      // a reading stopped because this worker stops is not the job's failure
      if (signal?.aborted) await c.handBack();
      throw jobError(err);
    }
  };
}

/** Runs a job by its name: pictures, video, a video's segment, or a ping (an empty job, for measuring the queue itself). */
async function runJob(job: AnyJob, token: string | undefined, c: JobContext): Promise<{ kind: 'ping' } | PicturesResult | SegmentResult | VideoResult> {
  switch (job.name) {
    case 'ping':
      return { kind: 'ping' };
    case 'pictures':
      return picturesJob(job as Job<PicturesJobData>, c);
    case 'segment':
      return segmentJob(job as Job<SegmentJobData>, c);
    case 'video':
      return videoJob(job as Job<VideoJobData>, token ?? '', c);
  }
  throw new FerkitError('BAD_ARGUMENT', `unknown job "${job.name}"; this worker runs pictures and video jobs`);
}

/** Logs how each job ends, and the worker's errors; deletes the uploads of jobs done with them. */
function logJobs(worker: Worker, redis: Redis, log: (line: string) => void): void {
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
}

/** The uploads a job reads. */
function blobsOf(job: AnyJob): string[] {
  const d = job.data as Partial<PicturesJobData & VideoJobData>;
  const inputs: JobInput[] = [...(d.pictures ?? []), ...(d.video ? [d.video] : [])];
  return inputs.flatMap((i) => ('blob' in i.source ? [i.source.blob] : []));
}
