/**
 * A segment of a video (a child job of the video's job): each sampled
 * frame's faces, unsmoothed, for the video's last step to join. A segment
 * reports its progress and the video's, says where it found the video to
 * end, and reads nothing when another segment found it to end before it.
 */
import { Job } from 'bullmq';
import { EMOTIONS } from '../core/labels.js';
import type { FaceEmotion } from '../core/recognizer.js';
import { frameFaces } from '../video/frame-faces.js';
import { probeVideo, readFrames, videoSource } from '../video/source.js';
import { locate, throttle, type JobContext } from './job-context.js';
import type { JobProgress, SegmentFace, SegmentJobData, SegmentResult, VideoJobData } from './jobs.js';
import { recordSegmentFrames, recordVideoEnd, videoEnd, videoFramesDone } from './segment-state.js';
import { videoTracking } from './video-plan.js';

type SegmentFrames = SegmentResult['frames'];

const slim = (f: FaceEmotion): SegmentFace => ({ box: { ...f.box }, score: f.score, roll: f.roll, emotions: EMOTIONS.map((e) => f.emotions[e]) });

export async function segmentJob(job: Job<SegmentJobData>, c: JobContext): Promise<SegmentResult> {
  const d = job.data;
  const parentId = job.parent?.id;
  const first = Math.round(d.start * d.fps);
  // a segment that starts past where another found the video to end reads nothing: it is not fetched again
  if (parentId) {
    const end = await videoEnd(c.redis, c.queueName, parentId);
    if (end <= first) return { frames: [], endedAt: end };
  }
  const { location, release } = await locate(d.video, c);
  const frames: SegmentFrames = [];
  let endedAt: number | undefined;
  const report = progressReport(job, c, frames);
  try {
    endedAt = await readSegment(location, d, c, frames, report);
    if (c.signal?.aborted) await c.handBack();
    if (endedAt !== undefined && parentId) await recordVideoEnd(c.redis, c.queueName, parentId, d.index, endedAt);
    await report(true);
  } finally {
    await release();
  }
  return { frames, ...(endedAt !== undefined ? { endedAt } : {}) };
}

/**
 * Reads the segment's frames into `frames`, reporting progress and renewing
 * the job's lock after each; returns the sampled frame at which the video
 * ended, when it ended before this segment did.
 */
async function readSegment(
  location: string,
  d: SegmentJobData,
  c: JobContext,
  frames: SegmentFrames,
  report: (force: boolean) => Promise<void>,
): Promise<number | undefined> {
  let endedAt: number | undefined;
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
  return endedAt;
}

/** Reports, at most every half second (and whenever forced), the segment's progress and its video's: frames done over all its segments. */
function progressReport(job: Job<SegmentJobData>, c: JobContext, frames: SegmentFrames): (force: boolean) => Promise<void> {
  const d = job.data;
  const parentId = job.parent?.id;
  const progress = throttle(500);
  return async (force) => {
    if (!progress(force)) return;
    await job.updateProgress({ done: frames.length, total: d.frames, unit: 'frames' } satisfies JobProgress);
    if (!parentId) return;
    // the video's progress: frames done over all its segments
    await recordSegmentFrames(c.redis, c.queueName, parentId, d.index, frames.length);
    const parent = await Job.fromId(c.queue, parentId);
    const plan = (parent?.data as VideoJobData | undefined)?.plan;
    if (!parent || !plan) return;
    const done = await videoFramesDone(c.redis, c.queueName, parentId);
    const total = Math.max(1, Math.ceil(plan.video.duration * d.fps));
    await parent.updateProgress({ done: Math.min(done, total), total, unit: 'frames' } satisfies JobProgress);
  };
}
