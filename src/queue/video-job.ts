/**
 * A video job. First step: probe the video and, if it is long enough, cut it
 * into segments, add a child job for each (segment-job.ts), and wait for
 * them; a short video, a live stream or one whose length is not borne out is
 * read whole, here. Last step (when every segment is done): join the
 * segments' frames, in order, into one timeline, tracks and summary, as one
 * reading of the file gives.
 */
import { WaitingChildrenError, type Job } from 'bullmq';
import { EMOTIONS, type Emotion } from '../core/labels.js';
import { analyzeVideo, VideoTimeline } from '../video/analyze.js';
import type { VideoTracking } from '../video/frame-faces.js';
import { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
import { probeVideo, videoSource, type EarlyEnd, type VideoSource } from '../video/source.js';
import { locate, throttle, type JobContext } from './job-context.js';
import type { JobProgress, SegmentJobData, SegmentResult, VideoJobData, VideoJobOptions, VideoResult } from './jobs.js';
import { forgetSegments } from './segment-state.js';
import { planVideo, videoTracking, type VideoPlan } from './video-plan.js';

/** A job's options with their defaults. */
interface VideoSettings {
  fps: number;
  maxSide: number;
  segmentSeconds: number;
  tracking: VideoTracking;
}

/** The segments a video was cut into, kept in its job's data. */
type SegmentedVideo = NonNullable<VideoJobData['plan']>;

export async function videoJob(job: Job<VideoJobData>, token: string, c: JobContext): Promise<VideoResult> {
  const s = videoSettings(job.data.options);
  let plan = job.data.plan;
  if (!plan) {
    const first = await probeAndPlan(job, s, c);
    if ('kind' in first) return first;
    plan = first;
  }
  const values = await segmentResults(job, token, plan, s, c);
  return joinSegments(job, plan, values, s.fps, c);
}

function videoSettings(options: VideoJobOptions): VideoSettings {
  return {
    fps: options.fps ?? 5,
    maxSide: options.maxSide ?? 1280,
    segmentSeconds: options.segmentSeconds ?? 60,
    tracking: videoTracking(options.detectEvery),
  };
}

/** The first step: probes the video, then reads it whole (the job's result) or cuts it into segments (kept in the job's data). */
async function probeAndPlan(job: Job<VideoJobData>, s: VideoSettings, c: JobContext): Promise<VideoResult | SegmentedVideo> {
  const { video } = job.data;
  const { location, release } = await locate(video, c);
  try {
    const source = videoSource(location);
    const info = await probeVideo(source, { signal: c.signal });
    // what the video is, not what its header says: a length over the limit is refused, one its size does not bear out
    // (or a live stream) is read whole, for at most the limit; segments are capped in number
    const how = planVideo(info, { fps: s.fps, segmentSeconds: s.segmentSeconds }, c.videoLimits, video.name);
    if (how.kind === 'whole') return await readWhole(job, source, how, s, c);
    const plan: SegmentedVideo = { video: info, segments: how.segments };
    await job.updateData({ ...job.data, plan });
    return plan;
  } finally {
    await release();
  }
}

/** One reading of the whole video by this worker, with the job's progress. */
async function readWhole(
  job: Job<VideoJobData>,
  source: VideoSource,
  how: Extract<VideoPlan, { kind: 'whole' }>,
  s: VideoSettings,
  c: JobContext,
): Promise<VideoResult> {
  const { video, options } = job.data;
  const timeline: FrameRecord[] = [];
  const progress = throttle(500);
  const total = how.totalFrames ?? Math.ceil(how.maxSeconds * s.fps);
  const summary = await analyzeVideo(c.recognizer, source, {
    fps: s.fps,
    maxSide: s.maxSide,
    ...(options.smoothing !== undefined ? { smoothing: options.smoothing } : {}),
    tracking: s.tracking,
    maxSeconds: how.maxSeconds,
    readTimeoutMs: c.videoLimits.readTimeoutMs,
    ...(c.signal ? { signal: c.signal } : {}),
    onFrameFaces: async (frame, faces) => {
      for (const { entry, face } of faces) timeline.push(frameRecord(entry, smoothedFace(entry, face, c.uncertainBelow)));
      if (progress(false)) await job.updateProgress({ done: frame.index + 1, total: Math.max(total, frame.index + 1), unit: 'frames' } satisfies JobProgress);
      await c.keepLock();
    },
  });
  // stopped by this worker's own stop: what was read is not the job's result
  if (c.signal?.aborted) await c.handBack();
  return { kind: 'video', model: c.model, segments: 1, timeline, summary: { ...summary, file: video.name } };
}

/** The segments' results, by child job key: the segments not done yet are added as child jobs, and the job waits for them. */
async function segmentResults(
  job: Job<VideoJobData>,
  token: string,
  plan: SegmentedVideo,
  s: VideoSettings,
  c: JobContext,
): Promise<Record<string, SegmentResult>> {
  const values = await job.getChildrenValues<SegmentResult>();
  if (Object.keys(values).length >= plan.segments.length) return values;
  await c.queue.addBulk(segmentJobs(job, plan, Object.keys(values), s));
  if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
  return job.getChildrenValues<SegmentResult>();
}

/**
 * Child jobs for the segments not done yet: all, the first time; after a
 * restart, children already there (`children`: their keys) keep their ids
 * and are not added twice.
 */
function segmentJobs(job: Job<VideoJobData>, plan: SegmentedVideo, children: string[], { fps, maxSide }: VideoSettings) {
  const { video, options } = job.data;
  const perSegment = Math.round((plan.segments[0].duration || 1) * fps);
  const done = new Set(children.map((k) => k.slice(k.lastIndexOf(':') + 1)));
  return plan.segments
    .flatMap((segment, index) => (done.has(`${job.id}-s${index}`) ? [] : [{ segment, index }]))
    .map(({ segment, index }) => ({
      name: 'segment',
      data: {
        video,
        fps,
        maxSide,
        start: segment.start,
        duration: segment.duration,
        index,
        frames: index === plan.segments.length - 1 ? Math.max(1, Math.ceil(plan.video.duration * fps) - index * perSegment) : perSegment,
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
    }));
}

const asRecord = (v: readonly number[]) => Object.fromEntries(EMOTIONS.map((e, i) => [e, v[i]])) as Record<Emotion, number>;

/** The last step: the segments' frames, in order, joined into one timeline, tracks and summary, as one reading of the file gives. */
async function joinSegments(
  job: Job<VideoJobData>,
  plan: SegmentedVideo,
  values: Record<string, SegmentResult>,
  fps: number,
  c: JobContext,
): Promise<VideoResult> {
  const { video, options } = job.data;
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
  await forgetSegments(c.redis, c.queueName, job.id!);
  const summary = timeline.summary({ file: video.name, video: plan.video, sampledFps: fps });
  const endedEarly = endedAt === undefined ? undefined : earlyEnd(video.name, endedAt / fps, plan.video.duration);
  return { kind: 'video', model: c.model, segments: plan.segments.length, timeline: records, summary: { ...summary, ...(endedEarly ? { endedEarly } : {}) } };
}

/** A video found to end `seconds` in, before the `expectedSeconds` its header announces. */
function earlyEnd(name: string, seconds: number, expectedSeconds: number): EarlyEnd {
  return {
    seconds,
    endTime: seconds,
    expectedSeconds,
    message: `${name}: the video ends early, after ${seconds.toFixed(1)} s of the ${expectedSeconds.toFixed(1)} s its header announces; the file may be cut short or damaged, or its header wrong`,
  };
}
