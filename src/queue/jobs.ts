/**
 * What travels through the queue: the jobs' data and results, their default
 * options, and how a failure keeps its error code. Pictures never travel in
 * a job's data: uploaded bytes sit in a Redis key of their own (blobs.ts)
 * that is deleted when the job is finished with them.
 */
import { UnrecoverableError } from 'bullmq';
import { FerkitError, isCallerError, type FerkitErrorCode } from '../core/errors.js';
import type { PictureRecord } from '../core/results.js';
import type { VideoSummary } from '../video/analyze.js';
import type { FrameRecord } from '../video/records.js';
import type { VideoInfo } from '../video/source.js';

/** The queue's name when none is given: one Redis can hold several (`queue` option). */
export const DEFAULT_QUEUE = 'ferkit';

/** Where a job's picture or video is: bytes uploaded to Redis, a path the workers can read, or an http(s) URL. */
export type JobSource = { blob: string } | { path: string } | { url: string };

/** One input of a job: its source and the name results are reported under (the file or URL as the client gave it). */
export interface JobInput {
  name: string;
  source: JobSource;
}

export interface VideoJobOptions {
  /** Frames sampled per second. Default 5. */
  fps?: number;
  /** Half-life of the smoothing, in seconds. Default 0.5. */
  smoothing?: number;
  /** Frames larger than this (longest side) are scaled down. Default 1280. */
  maxSide?: number;
  /**
   * Length of the segments a video is cut into, analysed by several workers
   * at once, in seconds. Default 60. A video shorter than 1.5 segments is
   * analysed whole by one worker, as is one whose length its size does not
   * bear out (a header that lies) or a live stream; a video that would make
   * more segments than the worker allows (64 by default) gets longer ones.
   */
  segmentSeconds?: number;
  /**
   * Seconds between searches of whole frames for faces; each face is
   * followed in between (detect, then track). Default 0.5; 0 searches every
   * sampled frame.
   */
  detectEvery?: number;
}

export interface PicturesJobData {
  pictures: JobInput[];
}

export interface VideoJobData {
  video: JobInput;
  options: VideoJobOptions;
  /** Set by the worker: the segments it cut the video into, once children analyse them. */
  plan?: { video: VideoInfo; segments: { start: number; duration: number }[] };
}

export interface SegmentJobData {
  video: JobInput;
  fps: number;
  maxSide: number;
  start: number;
  duration: number;
  /** Index of the segment in its video. */
  index: number;
  /** Frames this segment should give, for progress. */
  frames: number;
  /** As the video's `detectEvery` (absent: its default). */
  detectEvery?: number;
}

/** A face as a segment worker hands it to the join: what the timeline and the printed records need. */
export interface SegmentFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  roll: number;
  /** The seven probabilities in FER2013's order. */
  emotions: number[];
}

export interface SegmentResult {
  frames: { index: number; time: number; faces: SegmentFace[] }[];
  /** Set when the video ended before this segment did: the index of the sampled frame at which it ended. */
  endedAt?: number;
}

/** A pictures job's result: a record per picture, in the order sent, as `ferkit predict --json` prints them. */
export interface PicturesResult {
  kind: 'pictures';
  model: string;
  pictures: PictureRecord[];
}

/** A video job's result: the timeline `ferkit video --json` prints and the summary it reports. */
export interface VideoResult {
  kind: 'video';
  model: string;
  /** Segments analysed in parallel (1 when the video was analysed whole). */
  segments: number;
  timeline: FrameRecord[];
  summary: VideoSummary;
}

export type JobResult = PicturesResult | VideoResult;

/** Names of the jobs in the queue. */
export type JobKind = 'pictures' | 'video' | 'segment' | 'ping';

/** Progress of a job: pictures done, or frames analysed. */
export interface JobProgress {
  done: number;
  total: number;
  unit: 'pictures' | 'frames';
}

export interface JobDefaults {
  /** Seconds a finished job (its result, or its error) stays in Redis. Default 86 400 (a day). */
  keepSeconds: number;
  /** Attempts for a job that fails for a transient cause. Default 3. */
  attempts: number;
  /** First wait before a retry, in ms; doubles at each attempt. Default 2000. */
  backoffMs: number;
}

export const DEFAULT_JOB_DEFAULTS: JobDefaults = { keepSeconds: 86_400, attempts: 3, backoffMs: 2000 };

/** The BullMQ options of a job from these defaults. */
export function jobOptions(d: JobDefaults) {
  return {
    attempts: d.attempts,
    backoff: { type: 'exponential', delay: d.backoffMs },
    removeOnComplete: { age: d.keepSeconds },
    removeOnFail: { age: d.keepSeconds },
  };
}

/**
 * The error a job fails with, its code kept at the start of the message
 * (BullMQ keeps only messages): a bad input is unrecoverable (no retry);
 * anything else may be transient and is retried with backoff.
 */
export function jobError(err: unknown): Error {
  if (err instanceof UnrecoverableError) return err;
  if (err instanceof FerkitError) {
    const message = `${err.code}: ${err.message}`;
    return isCallerError(err.code) ? new UnrecoverableError(message) : new Error(message, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** A failed job's code and message, from its `failedReason`. Transient failures that ran out of attempts are `UNAVAILABLE`. */
export function jobFailure(failedReason: string | undefined): { code: FerkitErrorCode | 'UNAVAILABLE'; message: string } {
  const m = /^([A-Z_]+): ([\s\S]*)$/.exec(failedReason ?? '');
  if (m) return { code: m[1] as FerkitErrorCode, message: m[2] };
  return { code: 'UNAVAILABLE', message: failedReason || 'the job failed' };
}

export { redisConnection } from './redis.js';
