import { EMOTIONS, type Emotion } from '../core/labels.js';
import type { Box } from '../core/image/geometry.js';
import type { FaceEmotion } from '../core/recognizer.js';
import type { Recognizer as RecognizerOn } from '../core/create-recognizer.js';
import type { ImageInput } from '../core/image/pixels.js';

type Recognizer = RecognizerOn<ImageInput>;
import {
  readFrames,
  probeVideo,
  videoSource,
  type EarlyEnd,
  type Frame,
  type FrameOptions,
  type ReadLimit,
  type VideoInfo,
  type VideoSource,
} from './source.js';
import { FaceTracker, type TrackerOptions } from '../core/face/tracker.js';
import { smoothStep } from './smooth.js';
import { ChangeFinder, type ChangeMoment } from './changes.js';
import { frameFaces, type VideoTracking } from './frame-faces.js';

export type { ChangeMoment } from './changes.js';

/** One face in one sampled frame. */
export interface TimelineEntry {
  /** Seconds from the start of the video. */
  time: number;
  frame: number;
  /** Stays the same for the same face across frames. */
  faceId: number;
  box: Box;
  /** Smoothed probabilities of the seven emotions. */
  emotions: Record<Emotion, number>;
  /** Top smoothed emotion. */
  emotion: Emotion;
  /** Unsmoothed probabilities of this frame. */
  raw: Record<Emotion, number>;
}

export interface FaceSummary {
  faceId: number;
  frames: number;
  firstSeen: number;
  lastSeen: number;
  /** Share of this face's frames in which each emotion was the top one. */
  share: Record<Emotion, number>;
  /** Mean smoothed probability of each emotion. */
  mean: Record<Emotion, number>;
  dominant: Emotion;
  /** Its top smoothed emotion over time, as runs: a run ends when the emotion changes or the face is lost for more than a second. */
  segments: EmotionSegment[];
}

/** A stretch of time in which a face's top smoothed emotion stayed the same. */
export interface EmotionSegment {
  start: number;
  end: number;
  emotion: Emotion;
}

export interface VideoSummary {
  /** The file, URL or camera analysed. */
  file: string;
  /** True when the analysis was stopped before the end of the source (a live stream, or Ctrl-C). */
  stopped: boolean;
  /** Set when a file ended before the duration its header announces (cut short or damaged): the summary covers the frames before the break. */
  endedEarly?: EarlyEnd;
  /** Set when reading stopped at the most seconds allowed (`maxSeconds`: a live stream's longest reading) before the source ended. */
  limit?: ReadLimit;
  video: VideoInfo;
  sampledFps: number;
  framesAnalysed: number;
  framesWithFaces: number;
  faces: FaceSummary[];
  /** Share of each emotion over all faces and frames. */
  overall: Record<Emotion, number>;
  dominant: Emotion | null;
  /**
   * The strongest changes of a face's top emotion from one emotion to another, strongest first:
   * a face's switches less than `changeWindow` seconds apart are one change (the strongest).
   */
  strongestChanges: ChangeMoment[];
  /** Mean (over faces) smoothed probabilities over time, for plotting; at most `maxPlotPoints`. */
  series: { time: number; emotions: number[] }[];
}

export interface VideoOptions extends FrameOptions, TrackerOptions {
  /** Half-life of the smoothing, in seconds. Default 0.5; 0 turns it off. */
  smoothing?: number;
  /** How many strongest changes to report. Default 5. */
  changes?: number;
  /** Least change (L1 distance between a face's smoothed distributions before and after its top emotion switched, 0..2) worth reporting. Default 0.2. */
  minChange?: number;
  /**
   * Seconds before and after a switch of a face's top emotion over which the change is measured, and under
   * which a face's switches count as one change. Default 1, or twice `smoothing` when that is longer.
   */
  changeWindow?: number;
  /** Bound of the plotted series (pairs of points are merged beyond it). Default 2000. */
  maxPlotPoints?: number;
  /** Called with each face of each frame, in order (stream the timeline out from here). */
  onEntry?: (e: TimelineEntry) => void;
  onFrame?: (frame: number, time: number) => void;
  /** Called with each frame and its faces (with their ids and smoothed emotions) once they are known; awaited. */
  onFrameFaces?: (frame: Frame, faces: { entry: TimelineEntry; face: FaceEmotion }[]) => void | Promise<void>;
  /** The most runs kept per face for the plot (older ones are merged in pairs beyond it). Default 500. */
  maxSegments?: number;
  /**
   * Detect, then track (default `{}`): the face detector searches a sampled
   * frame every `detectEvery` seconds (default 0.5) and when the picture
   * changes, and each face is followed in between (src/core/track/follow.ts);
   * `false` runs the detector on every sampled frame.
   */
  tracking?: VideoTracking;
  /** Longest wait for the source to be recognised as a video (ffprobe), in ms. Default 60 000. */
  probeTimeoutMs?: number;
}

const zeros = () => Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
const asRecord = (v: readonly number[]) => Object.fromEntries(EMOTIONS.map((e, i) => [e, v[i]])) as Record<Emotion, number>;
const top = (v: readonly number[]) => EMOTIONS[v.indexOf(Math.max(...v))];

/**
 * Samples a video's frames, recognises the faces in each, keeps each face's
 * id across frames, smooths its emotions over time, and summarises. Memory is
 * bounded: the timeline goes to `onEntry` as it is made; only per-face
 * totals, the strongest changes and a bounded plot series are kept.
 */
export async function analyzeVideo(recognizer: Recognizer, input: string | VideoSource, options: VideoOptions = {}): Promise<VideoSummary> {
  const source = typeof input === 'string' ? videoSource(input) : input;
  const file = source.input;
  // stopped while the source was still being probed (a stream that has not sent a frame yet): nothing seen
  const video = await probeVideo(source, { signal: options.signal, ...(options.probeTimeoutMs ? { timeoutMs: options.probeTimeoutMs } : {}) }).catch(
    (err: unknown) => {
      if (options.signal?.aborted) return { width: 0, height: 0, duration: NaN, fps: NaN };
      throw err;
    },
  );
  const fps = options.fps ?? 5;
  const timeline = new VideoTimeline(options);
  let endedEarly: EarlyEnd | undefined;
  let limit: ReadLimit | undefined;
  const frameOptions: FrameOptions = {
    ...options,
    onEarlyEnd: (end) => {
      endedEarly = end;
      options.onEarlyEnd?.(end);
    },
    onLimit: (l) => {
      limit = l;
      options.onLimit?.(l);
    },
  };
  const facesOf = frameFaces(recognizer, options.tracking, options);
  for await (const frame of video.width ? readFrames(source, frameOptions, video) : []) {
    options.onFrame?.(frame.index, frame.time);
    const faces = await facesOf(frame);
    const frameFaces = timeline.add(frame, faces);
    for (const { entry } of frameFaces) options.onEntry?.(entry);
    await options.onFrameFaces?.(frame, frameFaces);
  }
  const summary = timeline.summary({ file, video, sampledFps: fps, stopped: Boolean(options.signal?.aborted) || limit !== undefined });
  return { ...summary, ...(endedEarly ? { endedEarly } : {}), ...(limit ? { limit } : {}) };
}

/**
 * The part of a video analysis that follows recognition: each sampled
 * frame's faces in, in order, with ids kept across frames, emotions smoothed
 * over time, and the summary at the end. Pure and bounded in memory;
 * `analyzeVideo` feeds it as it reads, and a job queue can feed it frames
 * recognised elsewhere (video segments analysed by several workers), which
 * gives the same timeline, tracks and summary as one reading of the file.
 */
export class VideoTimeline {
  private readonly maxSegments: number;
  private readonly halfLife: number;
  private readonly maxPoints: number;
  private readonly tracker: FaceTracker;
  private readonly state = new Map<
    number,
    { smooth: number[]; frames: number; first: number; last: number; topCounts: number[]; sum: number[]; segments: EmotionSegment[] }
  >();
  private frames = 0;
  private framesWithFaces = 0;
  private readonly changes: ChangeFinder;
  private series: { time: number; emotions: number[]; n: number }[] = [];

  constructor(options: Omit<VideoOptions, 'onEntry' | 'onFrame' | 'onFrameFaces' | 'signal'> = {}) {
    this.maxSegments = options.maxSegments ?? 500;
    this.halfLife = options.smoothing ?? 0.5;
    this.changes = new ChangeFinder({
      changes: options.changes ?? 5,
      minChange: options.minChange ?? 0.2,
      window: options.changeWindow ?? Math.max(1, 2 * this.halfLife),
    });
    this.maxPoints = options.maxPlotPoints ?? 2000;
    this.tracker = new FaceTracker(options);
  }

  /** The faces of the next sampled frame (frames in order of time): each with its track's id and smoothed emotions. */
  add<F extends Pick<FaceEmotion, 'box' | 'emotions'>>(frame: { index: number; time: number }, faces: readonly F[]): { entry: TimelineEntry; face: F }[] {
    const { state, halfLife } = this;
    this.frames++;
    if (faces.length) this.framesWithFaces++;
    const ids = this.tracker.update(
      faces.map((f) => f.box),
      frame.index,
    );
    const frameMean = new Array<number>(EMOTIONS.length).fill(0);
    const frameFaces: { entry: TimelineEntry; face: F }[] = [];
    faces.forEach((f, k) => {
      const id = ids[k];
      const raw = EMOTIONS.map((e) => f.emotions[e]);
      let s = state.get(id);
      const smooth = smoothStep(s?.smooth, raw, s ? frame.time - s.last : 0, halfLife);
      this.changes.add(id, frame.time, smooth);
      if (!s) {
        s = {
          smooth,
          frames: 0,
          first: frame.time,
          last: frame.time,
          topCounts: new Array(EMOTIONS.length).fill(0),
          sum: new Array(EMOTIONS.length).fill(0),
          segments: [],
        };
        state.set(id, s);
      }
      const emotion = top(smooth);
      const run = s.segments.at(-1);
      if (run && run.emotion === emotion && frame.time - run.end <= 1) run.end = frame.time;
      else {
        s.segments.push({ start: frame.time, end: frame.time, emotion });
        if (s.segments.length > this.maxSegments) s.segments = mergeSegments(s.segments);
      }
      s.smooth = smooth;
      s.frames++;
      s.last = frame.time;
      s.topCounts[smooth.indexOf(Math.max(...smooth))]++;
      smooth.forEach((p, i) => {
        s!.sum[i] += p;
        frameMean[i] += p / faces.length;
      });
      const entry: TimelineEntry = { time: frame.time, frame: frame.index, faceId: id, box: f.box, emotions: asRecord(smooth), emotion, raw: asRecord(raw) };
      frameFaces.push({ entry, face: f });
    });
    if (faces.length) {
      this.series.push({ time: frame.time, emotions: frameMean, n: 1 });
      if (this.series.length > this.maxPoints) this.series = mergeSeries(this.series);
    }
    return frameFaces;
  }

  /** The summary of the frames added so far. */
  summary(about: { file: string; video: VideoInfo; sampledFps: number; stopped?: boolean }): VideoSummary {
    const faces: FaceSummary[] = [...this.state.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([faceId, s]) => ({
        faceId,
        frames: s.frames,
        firstSeen: s.first,
        lastSeen: s.last,
        share: asRecord(s.topCounts.map((c) => c / s.frames)),
        mean: asRecord(s.sum.map((v) => v / s.frames)),
        dominant: EMOTIONS[s.topCounts.indexOf(Math.max(...s.topCounts))],
        segments: s.segments,
      }));
    const totalFaceFrames = faces.reduce((a, f) => a + f.frames, 0);
    const overall = zeros();
    for (const f of faces) for (const e of EMOTIONS) overall[e] += (f.share[e] * f.frames) / totalFaceFrames;
    const dominant = totalFaceFrames ? EMOTIONS.reduce((a, b) => (overall[a] >= overall[b] ? a : b)) : null;
    return {
      file: about.file,
      stopped: Boolean(about.stopped),
      video: about.video,
      sampledFps: about.sampledFps,
      framesAnalysed: this.frames,
      framesWithFaces: this.framesWithFaces,
      faces,
      overall,
      dominant,
      strongestChanges: this.changes.changes(),
      series: this.series.map(({ time, emotions }) => ({ time, emotions })),
    };
  }
}

/** Halves the plot series: each pair of points becomes their weighted mean. */
function mergeSeries(series: readonly { time: number; emotions: number[]; n: number }[]): { time: number; emotions: number[]; n: number }[] {
  const merged: { time: number; emotions: number[]; n: number }[] = [];
  for (let i = 0; i < series.length; i += 2) {
    const a = series[i],
      b = series[i + 1];
    merged.push(
      b
        ? {
            time: (a.time * a.n + b.time * b.n) / (a.n + b.n),
            emotions: a.emotions.map((v, j) => (v * a.n + b.emotions[j] * b.n) / (a.n + b.n)),
            n: a.n + b.n,
          }
        : a,
    );
  }
  return merged;
}

/** Halves a face's runs: each pair becomes one run of the emotion that lasted longer. */
function mergeSegments(segments: readonly EmotionSegment[]): EmotionSegment[] {
  const out: EmotionSegment[] = [];
  for (let i = 0; i < segments.length; i += 2) {
    const a = segments[i],
      b = segments[i + 1];
    out.push(b ? { start: a.start, end: b.end, emotion: b.end - b.start > a.end - a.start ? b.emotion : a.emotion } : a);
  }
  return out;
}
