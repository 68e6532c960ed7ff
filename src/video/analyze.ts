import { EMOTIONS, type Emotion } from '../labels.js';
import type { Box } from '../face/align.js';
import type { Recognizer } from '../recognizer.js';
import { readFrames, probeVideo, type FrameOptions, type VideoInfo } from './source.js';
import { FaceTracker, type TrackerOptions } from './tracker.js';
import { l1, smoothStep } from './smooth.js';

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
}

export interface ChangeMoment {
  time: number;
  faceId: number;
  from: Emotion;
  to: Emotion;
  /** L1 distance between the smoothed distributions before and after (0..2). */
  change: number;
}

export interface VideoSummary {
  file: string;
  video: VideoInfo;
  sampledFps: number;
  framesAnalysed: number;
  framesWithFaces: number;
  faces: FaceSummary[];
  /** Share of each emotion over all faces and frames. */
  overall: Record<Emotion, number>;
  dominant: Emotion | null;
  /** The moments of strongest change of any face's emotions, strongest first. */
  strongestChanges: ChangeMoment[];
  /** Mean (over faces) smoothed probabilities over time, for plotting; at most `maxPlotPoints`. */
  series: { time: number; emotions: number[] }[];
}

export interface VideoOptions extends FrameOptions, TrackerOptions {
  /** Half-life of the smoothing, in seconds. Default 0.5; 0 turns it off. */
  smoothing?: number;
  /** How many strongest changes to report. Default 5. */
  changes?: number;
  /** Least change (L1 distance between consecutive smoothed distributions, 0..2) worth reporting. Default 0.2. */
  minChange?: number;
  /** Bound of the plotted series (pairs of points are merged beyond it). Default 2000. */
  maxPlotPoints?: number;
  /** Called with each face of each frame, in order (stream the timeline out from here). */
  onEntry?: (e: TimelineEntry) => void;
  onFrame?: (frame: number, time: number) => void;
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
export async function analyzeVideo(recognizer: Recognizer, file: string, options: VideoOptions = {}): Promise<VideoSummary> {
  const video = probeVideo(file);
  const fps = options.fps ?? 5;
  const halfLife = options.smoothing ?? 0.5;
  const maxChanges = options.changes ?? 5;
  const minChange = options.minChange ?? 0.2;
  const maxPoints = options.maxPlotPoints ?? 2000;
  const tracker = new FaceTracker(options);
  const state = new Map<number, { smooth: number[]; frames: number; first: number; last: number; topCounts: number[]; sum: number[] }>();
  let frames = 0, framesWithFaces = 0;
  let changes: ChangeMoment[] = [];
  let series: { time: number; emotions: number[]; n: number }[] = [];

  for await (const frame of readFrames(file, options)) {
    frames++;
    options.onFrame?.(frame.index, frame.time);
    const [faces] = await recognizer.recognizeRgb([frame.image]);
    if (faces.length) framesWithFaces++;
    const ids = tracker.update(faces.map((f) => f.box), frame.index);
    const frameMean = new Array<number>(EMOTIONS.length).fill(0);
    faces.forEach((f, k) => {
      const id = ids[k];
      const raw = EMOTIONS.map((e) => f.emotions[e]);
      let s = state.get(id);
      const smooth = smoothStep(s?.smooth, raw, s ? frame.time - s.last : 0, halfLife);
      if (s) {
        const change = l1(s.smooth, smooth);
        const moment = { time: frame.time, faceId: id, from: top(s.smooth), to: top(smooth), change };
        if (change >= minChange && (changes.length < maxChanges || change > changes[changes.length - 1].change)) {
          changes = [...changes, moment].sort((a, b) => b.change - a.change).slice(0, maxChanges);
        }
      } else {
        s = { smooth, frames: 0, first: frame.time, last: frame.time, topCounts: new Array(EMOTIONS.length).fill(0), sum: new Array(EMOTIONS.length).fill(0) };
        state.set(id, s);
      }
      s.smooth = smooth;
      s.frames++;
      s.last = frame.time;
      s.topCounts[smooth.indexOf(Math.max(...smooth))]++;
      smooth.forEach((p, i) => { s!.sum[i] += p; frameMean[i] += p / faces.length; });
      options.onEntry?.({ time: frame.time, frame: frame.index, faceId: id, box: f.box, emotions: asRecord(smooth), emotion: top(smooth), raw: asRecord(raw) });
    });
    if (faces.length) {
      series.push({ time: frame.time, emotions: frameMean, n: 1 });
      if (series.length > maxPoints) {
        const merged: typeof series = [];
        for (let i = 0; i < series.length; i += 2) {
          const a = series[i], b = series[i + 1];
          merged.push(b ? { time: (a.time * a.n + b.time * b.n) / (a.n + b.n), emotions: a.emotions.map((v, j) => (v * a.n + b.emotions[j] * b.n) / (a.n + b.n)), n: a.n + b.n } : a);
        }
        series = merged;
      }
    }
  }

  const faces: FaceSummary[] = [...state.entries()].sort((a, b) => a[0] - b[0]).map(([faceId, s]) => ({
    faceId,
    frames: s.frames,
    firstSeen: s.first,
    lastSeen: s.last,
    share: asRecord(s.topCounts.map((c) => c / s.frames)),
    mean: asRecord(s.sum.map((v) => v / s.frames)),
    dominant: EMOTIONS[s.topCounts.indexOf(Math.max(...s.topCounts))],
  }));
  const totalFaceFrames = faces.reduce((a, f) => a + f.frames, 0);
  const overall = zeros();
  for (const f of faces) for (const e of EMOTIONS) overall[e] += (f.share[e] * f.frames) / totalFaceFrames;
  const dominant = totalFaceFrames ? EMOTIONS.reduce((a, b) => (overall[a] >= overall[b] ? a : b)) : null;
  return {
    file,
    video,
    sampledFps: fps,
    framesAnalysed: frames,
    framesWithFaces,
    faces,
    overall,
    dominant,
    strongestChanges: changes,
    series: series.map(({ time, emotions }) => ({ time, emotions })),
  };
}
