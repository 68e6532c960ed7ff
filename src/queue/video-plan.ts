/**
 * How a video job is read, decided from what the video is rather than what
 * its header claims: a duration is believed only when the file's size bears
 * it out (src/video/source.ts: durationTrust), a job is held to a number of
 * segments and of seconds, and a live stream to a longest reading; a
 * job's `detectEvery` says how faces are followed. Pure.
 */
import { FerkitError } from '../core/errors.js';
import type { VideoTracking } from '../video/frame-faces.js';
import { DEFAULT_READ_TIMEOUT_MS, durationTrust, type VideoInfo } from '../video/source.js';

export interface VideoJobLimits {
  /** The most segments a video is cut into; a longer video gets longer segments. Default 64. */
  maxSegments: number;
  /** The longest video a job may analyse, in seconds: a longer claim is refused, and no reading goes past it. Default 14 400 (4 h). */
  maxSeconds: number;
  /** The longest reading of a live stream (a source without a duration), in seconds; its result then says where it stopped. Default 600. */
  maxLiveSeconds: number;
  /** The longest wait for the next frame of a stream (a URL), in ms, once it has been probed; past it the job fails with TIMEOUT. Default 20 000. */
  readTimeoutMs: number;
}

export const DEFAULT_VIDEO_LIMITS: VideoJobLimits = {
  maxSegments: 64,
  maxSeconds: 4 * 3600,
  maxLiveSeconds: 600,
  readTimeoutMs: DEFAULT_READ_TIMEOUT_MS,
};

/** The most frames a second a job may sample (as the service allows). */
export const MAX_JOB_FPS = 60;

/** `limits` completed with the defaults and checked: each a number above 0 (maxSegments a whole one). */
export function videoLimits(limits: Partial<VideoJobLimits> = {}): VideoJobLimits {
  const l = { ...DEFAULT_VIDEO_LIMITS, ...limits };
  for (const [k, v] of Object.entries(l))
    if (!(typeof v === 'number' && v > 0 && (k !== 'maxSegments' || Number.isInteger(v))))
      throw new FerkitError('BAD_ARGUMENT', `video limit ${k} must be a number above 0${k === 'maxSegments' ? ' (a whole one)' : ''}, got ${String(v)}`, {
        options: [`videoLimits.${k}`],
      });
  return l;
}

/** How a job reads its video. */
export type VideoPlan =
  /** One worker reads it all, for at most `maxSeconds`; `totalFrames` when its length is believed. */
  | { kind: 'whole'; maxSeconds: number; totalFrames?: number; live: boolean }
  /** Cut into segments of whole sampled frames, read by several workers at once. */
  | { kind: 'segments'; perSegment: number; totalFrames: number; segments: { start: number; duration: number }[] };

const hms = (s: number) =>
  s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s} s`;

/**
 * The plan of a video job from its probe: refused (BAD_IMAGE) when its
 * header claims more than `limits.maxSeconds`; read whole when it has no
 * duration (a live stream: for `maxLiveSeconds`), when its claimed duration
 * is not borne out by its size (or its size is unknown), or when it is
 * short; else cut into segments of about `segmentSeconds`, at most
 * `limits.maxSegments` of them.
 */
export function planVideo(info: VideoInfo, options: { fps: number; segmentSeconds: number }, limits: VideoJobLimits, name: string): VideoPlan {
  const { fps, segmentSeconds } = options;
  if (!(typeof fps === 'number' && fps > 0 && fps <= MAX_JOB_FPS))
    throw new FerkitError('BAD_ARGUMENT', `fps must be above 0 and at most ${MAX_JOB_FPS}, got ${String(fps)}`, { options: ['fps'] });
  // segments are at least a sampled frame long, and no more than maxSegments of them: short ones cost nothing more
  if (!(typeof segmentSeconds === 'number' && segmentSeconds > 0 && Number.isFinite(segmentSeconds)))
    throw new FerkitError('BAD_ARGUMENT', `segmentSeconds must be above 0 seconds, got ${String(segmentSeconds)}`, { options: ['segmentSeconds'] });
  if (info.duration > limits.maxSeconds)
    throw new FerkitError(
      'BAD_IMAGE',
      `${name}: its header claims ${hms(info.duration)}, over the ${hms(limits.maxSeconds)} a job may analyse; cut the video into parts (ffmpeg -ss START -t SECONDS -i IN -c copy PART.mp4), or start workers that allow longer videos`,
      { file: name, options: ['videoLimits.maxSeconds'] },
    );
  const trust = durationTrust(info);
  if (trust === 'unknown') return { kind: 'whole', maxSeconds: limits.maxLiveSeconds, live: true };
  const claimedFrames = Math.ceil(info.duration * fps);
  if (trust !== 'trusted') return { kind: 'whole', maxSeconds: limits.maxSeconds, live: false };
  let perSegment = Math.max(1, Math.round(segmentSeconds * fps));
  let count = Math.max(1, Math.round(claimedFrames / perSegment));
  if (count > limits.maxSegments) {
    perSegment = Math.ceil(claimedFrames / limits.maxSegments);
    count = Math.ceil(claimedFrames / perSegment);
  }
  if (count === 1) return { kind: 'whole', maxSeconds: limits.maxSeconds, totalFrames: claimedFrames, live: false };
  const segments = Array.from({ length: count }, (_, i) => ({
    start: (i * perSegment) / fps,
    // the last one reads a second past the claimed end, so that a last frame is not lost to rounding
    duration: i === count - 1 ? Math.max(claimedFrames - i * perSegment, 1) / fps + 1 : perSegment / fps,
  }));
  return { kind: 'segments', perSegment, totalFrames: claimedFrames, segments };
}

/** A job's detectEvery as the video's tracking: absent, the default; 0, a search of every frame. */
export function videoTracking(detectEvery: number | undefined): VideoTracking {
  if (detectEvery === undefined) return {};
  if (!(typeof detectEvery === 'number' && Number.isFinite(detectEvery) && detectEvery >= 0))
    throw new FerkitError('BAD_ARGUMENT', `detectEvery must be 0 or more seconds (0: search every frame), got ${String(detectEvery)}`);
  return detectEvery === 0 ? false : { detectEvery };
}
