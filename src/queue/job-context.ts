/**
 * What a worker's job runs with: the worker's recognizer, queue and Redis,
 * and the job's ways of living with its worker: renewing its lock between
 * frames and pictures, being handed back to the queue when the worker stops,
 * and reading its video in a way the worker's stop gives up at once.
 */
import type { Job, Queue } from 'bullmq';
import { WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import { FerkitError } from '../core/errors.js';
import type { Recognizer } from '../node/index.js';
import { videoLocation, type InputContext } from './inputs.js';
import type { JobInput } from './jobs.js';
import type { VideoJobLimits } from './video-plan.js';

export type AnyJob = Job<unknown, unknown, string>;

/** What every job of a worker shares: loaded once, when the worker starts. */
export interface WorkerResources {
  recognizer: Recognizer;
  uncertainBelow: number;
  ctx: InputContext;
  queue: Queue;
  model: string;
  redis: Redis;
  queueName: string;
  videoLimits: VideoJobLimits;
}

export interface JobContext extends WorkerResources {
  /** Renews the job's lock (between frames and pictures). */
  keepLock: () => Promise<void>;
  /** Aborted when this worker stops: reading ends, and the job is handed back. */
  signal: AbortSignal | undefined;
  /** Hands the job back to the queue, for another worker to take from the start. */
  handBack: () => Promise<never>;
}

/** A job's context: the worker's resources, and the job's lock, stop signal and hand-back. */
export function jobContext(
  resources: WorkerResources,
  lockDuration: number,
  job: AnyJob,
  token: string | undefined,
  signal: AbortSignal | undefined,
): JobContext {
  return { ...resources, keepLock: keepLock(job, token, lockDuration), signal, handBack: () => handBack(job, token) };
}

/**
 * Renews a job's lock and lets timers run, between frames and pictures:
 * the engine holds the process while it works, so BullMQ's own renewal
 * timer may come late on a busy machine, and a busy worker would be taken
 * for a dead one.
 */
const keepLock = (job: AnyJob, token: string | undefined, lockDuration: number) => async () => {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (token) await job.extendLock(token, lockDuration);
};

/** Puts a job this worker is stopping in the middle of back in the queue (not failed: its input is not at fault). */
export async function handBack(job: AnyJob, token: string | undefined): Promise<never> {
  if (token) await job.moveToWait(token);
  throw new WaitingError();
}

/**
 * Where ffmpeg reads a job's video (inputs.ts: videoLocation), given up at
 * once when the worker stops: a download still under way then has its
 * temporary file removed when it ends.
 */
export async function locate(input: JobInput, c: JobContext): Promise<{ location: string; release: () => Promise<void> }> {
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

/** True at most every `ms` (and always when `force`): for progress reports. */
export function throttle(ms: number): (force: boolean) => boolean {
  let last = 0;
  return (force) => {
    const now = Date.now();
    if (!force && now - last < ms) return false;
    last = now;
    return true;
  };
}
