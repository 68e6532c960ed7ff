/**
 * Submitting jobs and following them: what `ferkit submit` and the
 * service's /v1/jobs use. Uploaded bytes go to Redis keys of their own (the
 * job's data only names them); job ids are random, so one client cannot
 * guess another's.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { FerkitError } from '../core/errors.js';
import { blobKey, deleteBlobs, putBlob, UploadQuotaError } from './blobs.js';
import {
  DEFAULT_JOB_DEFAULTS,
  DEFAULT_QUEUE,
  jobFailure,
  jobOptions,
  type JobDefaults,
  type JobInput,
  type JobProgress,
  type JobResult,
  type JobSource,
  type PicturesJobData,
  type VideoJobData,
  type VideoJobOptions,
} from './jobs.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, quiet, redisConnection, waitForRedis, watchConnection } from './redis.js';

export interface JobClientOptions {
  /** The Redis of the queue: redis://[user:password@]host:port[/db]. */
  redis: string;
  /** Queue name. Default `ferkit`. */
  queue?: string;
  /** How long results stay, attempts and backoff. */
  defaults?: Partial<JobDefaults>;
  /**
   * Longest time an upload waits in Redis for its job, in seconds; it is
   * deleted as soon as its job is done. Default 3 600 (an hour).
   */
  uploadSeconds?: number;
  /** Most bytes one job may upload (its pictures together, or its video). Default 64 MiB. */
  jobUploadBytes?: number;
  /**
   * Most bytes the uploads waiting in Redis may hold together, for this
   * queue: an upload that would go over it is refused (UploadQuotaError,
   * `queue`) until jobs have been done. Default 512 MiB.
   */
  uploadQuotaBytes?: number;
  /**
   * Longest wait for Redis when the client first uses it, in ms: past it,
   * every call fails with UNAVAILABLE, naming the address. Default 10 000.
   */
  connectTimeoutMs?: number;
  /** Told once when a connection that was up is lost (it is retried with backoff), and when it is back. */
  log?: (line: string) => void;
}

/** A picture or video to submit: its bytes (uploaded to Redis), a path the workers can read, or an http(s) URL. */
export type SubmitInput = { name: string } & ({ bytes: Uint8Array } | { path: string } | { url: string });

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'waiting-children' | 'prioritized' | 'unknown';

export interface JobStatus {
  id: string;
  kind: 'pictures' | 'video';
  state: JobState;
  progress?: JobProgress;
  result?: JobResult;
  error?: { code: string; message: string };
  /** Attempts made so far (a transient failure is retried). */
  attempts: number;
  /** Milliseconds since 1970. */
  createdAt: number;
  finishedAt?: number;
}

export type JobEvent = { type: 'progress'; progress: JobProgress } | { type: 'completed' | 'failed'; status: JobStatus };

export class JobClient {
  readonly queue: Queue;
  private readonly redis: Redis;
  private readonly defaults: JobDefaults;
  private readonly uploadSeconds: number;
  private readonly jobUploadBytes: number;
  private readonly uploadQuotaBytes: number;
  private events?: QueueEvents;
  private eventsOpening?: Promise<QueueEvents>;
  private eventsConnection?: Redis;
  private readonly listeners = new Map<string, Set<(e: JobEvent) => void>>();
  private readonly url: string;
  private readonly connectTimeoutMs: number;
  private readonly log: (line: string) => void;
  private connecting?: Promise<void>;

  constructor(options: JobClientOptions) {
    this.url = options.redis;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.log = options.log ?? (() => {});
    this.redis = redisConnection(options.redis);
    watchConnection(this.redis, this.url, this.log);
    this.queue = new Queue(options.queue ?? DEFAULT_QUEUE, { connection: this.redis });
    // the connection's errors are its watcher's; BullMQ would print them
    this.queue.on('error', () => {});
    this.defaults = { ...DEFAULT_JOB_DEFAULTS, ...options.defaults };
    this.uploadSeconds = options.uploadSeconds ?? 3_600;
    this.jobUploadBytes = options.jobUploadBytes ?? 64 * 2 ** 20;
    this.uploadQuotaBytes = options.uploadQuotaBytes ?? 512 * 2 ** 20;
  }

  /**
   * Resolves once Redis answers; fails with UNAVAILABLE (naming the address
   * and what to do) when it does not within `connectTimeoutMs`. Every other
   * method waits for it first, so calling it is only needed to fail early.
   */
  ready(): Promise<void> {
    return (this.connecting ??= waitForRedis(this.redis, this.url, this.connectTimeoutMs));
  }

  /** A job's inputs, its uploads stored (within the job's and the queue's quotas); on any failure, none stays stored. */
  private async inputs(list: readonly SubmitInput[]): Promise<JobInput[]> {
    await this.ready();
    const uploaded = list.reduce((n, i) => n + ('bytes' in i ? i.bytes.byteLength : 0), 0);
    if (uploaded > this.jobUploadBytes)
      throw new UploadQuotaError(
        'job',
        `the job uploads ${(uploaded / 2 ** 20).toFixed(1)} MiB, over the ${(this.jobUploadBytes / 2 ** 20).toFixed(1)} MiB one job may upload; split it into several jobs, or give URLs or paths instead of the bytes`,
      );
    const out: JobInput[] = [];
    try {
      for (const i of list) out.push(await this.input(i));
    } catch (err) {
      await deleteBlobs(
        this.redis,
        out.flatMap((i) => ('blob' in i.source ? [i.source.blob] : [])),
      ).catch(() => {});
      throw err;
    }
    return out;
  }

  private async input(i: SubmitInput): Promise<JobInput> {
    let source: JobSource;
    if ('bytes' in i) {
      const key = blobKey(this.queue.name);
      await putBlob(this.redis, key, i.bytes, this.uploadSeconds, this.uploadQuotaBytes);
      source = { blob: key };
    } else if ('path' in i) source = { path: i.path };
    else {
      if (!/^https?:\/\//i.test(i.url)) throw new FerkitError('BAD_ARGUMENT', `${i.url}: give an http or https URL`, { file: i.name });
      source = { url: i.url };
    }
    return { name: i.name, source };
  }

  /** Enqueues a job of one or more pictures; resolves with its id. */
  async submitPictures(pictures: readonly SubmitInput[]): Promise<string> {
    await this.ready();
    if (!pictures.length) throw new FerkitError('BAD_ARGUMENT', 'a pictures job needs at least one picture');
    const data: PicturesJobData = { pictures: await this.inputs(pictures) };
    const id = randomUUID();
    await this.queue.add('pictures', data, { ...jobOptions(this.defaults), jobId: id });
    return id;
  }

  /** Enqueues a video job (cut into segments by the workers when long enough); resolves with its id. */
  async submitVideo(video: SubmitInput, options: VideoJobOptions = {}): Promise<string> {
    for (const [k, v] of Object.entries(options)) {
      if (v !== undefined && !(typeof v === 'number' && v > 0) && !((k === 'smoothing' || k === 'detectEvery') && v === 0))
        throw new FerkitError('BAD_ARGUMENT', `${k} must be a number above 0, got ${v}`, { options: [k] });
    }
    const [input] = await this.inputs([video]);
    const data: VideoJobData = { video: input, options };
    const id = randomUUID();
    await this.queue.add('video', data, { ...jobOptions(this.defaults), jobId: id });
    return id;
  }

  /** Enqueues an empty job (a worker answers it at once): for measuring the queue itself. */
  async ping(): Promise<string> {
    await this.ready();
    const id = randomUUID();
    await this.queue.add('ping', {}, { ...jobOptions(this.defaults), jobId: id });
    return id;
  }

  /** A job's state, progress, and result or error; undefined for an unknown id (or one whose result has expired). */
  async status(id: string): Promise<JobStatus | undefined> {
    await this.ready();
    // its state before its data: a job that ends in between is read with its result or error, not as failed without a reason
    const state = (await this.queue.getJobState(id)) as JobState;
    const job = await this.queue.getJob(id);
    if (!job || (job.name !== 'pictures' && job.name !== 'video')) return undefined;
    return statusOf(job, state);
  }

  /**
   * Calls `listener` with the job's progress and its end (completed or
   * failed for good); returns a function that stops listening. The first
   * call opens one Redis stream reader shared by all listeners.
   */
  async subscribe(id: string, listener: (e: JobEvent) => void): Promise<() => void> {
    await this.openEvents();
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(id);
    };
  }

  /** Resolves with the job's status once it has completed or failed for good. */
  async wait(id: string, onProgress?: (p: JobProgress) => void): Promise<JobStatus> {
    let stop = () => {};
    try {
      return await new Promise<JobStatus>((resolve, reject) => {
        this.subscribe(id, (e) => {
          if (e.type === 'progress') onProgress?.(e.progress);
          else resolve(e.status);
        })
          .then(async (unsubscribe) => {
            stop = unsubscribe;
            // it may have finished before we listened
            const s = await this.status(id);
            if (!s) reject(new FerkitError('DATA_NOT_FOUND', `no job ${id} (unknown, or its result has expired)`));
            else if (s.state === 'completed' || s.state === 'failed') resolve(s);
          })
          .catch(reject);
      });
    } finally {
      stop();
    }
  }

  /** The one events reader, opened once even when several waits ask for it at the same time. */
  private openEvents(): Promise<QueueEvents> {
    this.eventsOpening ??= this.openEventsOnce().catch((err: unknown) => {
      this.eventsOpening = undefined;
      throw err;
    });
    return this.eventsOpening;
  }

  private async openEventsOnce(): Promise<QueueEvents> {
    await this.ready();
    const connection = quiet(this.redis.duplicate());
    this.eventsConnection = connection;
    const events = new QueueEvents(this.queue.name, { connection });
    events.on('error', () => {});
    this.events = events;
    const emit = (id: string, e: JobEvent) => this.listeners.get(id)?.forEach((l) => l(e));
    events.on('progress', ({ jobId, data }) => {
      if (this.listeners.has(jobId) && typeof data === 'object') emit(jobId, { type: 'progress', progress: data as JobProgress });
    });
    const finished = async (jobId: string) => {
      if (!this.listeners.has(jobId)) return;
      const s = await this.status(jobId);
      // a failure that will be retried is not the end
      if (s && (s.state === 'completed' || s.state === 'failed')) emit(jobId, { type: s.state, status: s });
    };
    events.on('completed', ({ jobId }) => void finished(jobId).catch(() => {}));
    events.on('failed', ({ jobId }) => void finished(jobId).catch(() => {}));
    await events.waitUntilReady();
    return events;
  }

  async close(): Promise<void> {
    // a client that never reached Redis has nothing to flush: closing BullMQ's side would wait for a connection
    const reached =
      (await this.connecting?.then(
        () => true,
        () => false,
      )) ?? this.redis.status === 'ready';
    if (reached) {
      await this.events?.close();
      await this.queue.close();
    } else {
      void this.events?.close().catch(() => {});
      void this.queue.close().catch(() => {});
    }
    this.eventsConnection?.disconnect();
    this.redis.disconnect();
  }
}

function statusOf(job: Job, state: JobState): JobStatus {
  const progress = typeof job.progress === 'object' && job.progress !== null && 'done' in job.progress ? (job.progress as JobProgress) : undefined;
  return {
    id: job.id!,
    kind: job.name as 'pictures' | 'video',
    state,
    ...(progress ? { progress } : {}),
    ...(state === 'completed' ? { result: job.returnvalue as JobResult } : {}),
    ...(state === 'failed' ? { error: jobFailure(job.failedReason) } : {}),
    attempts: job.attemptsMade,
    createdAt: job.timestamp,
    ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
  };
}
