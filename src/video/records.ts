/** A video's timeline as printed: each face of each frame as a `predict` face record, with its track's id and smoothed emotions. */
import { rankEmotions } from '../core/labels.js';
import type { FaceEmotion } from '../core/recognizer.js';
import { faceRecord, type FaceRecord } from '../core/results.js';
import type { TimelineEntry } from './analyze.js';

/** A line of `ferkit video --json`: a face in a frame. */
export type FrameRecord = { time: number; frame: number } & FaceRecord;

const r3 = (v: number) => Number(v.toFixed(3));

/** A face of a frame with its smoothed emotions in place of the frame's own: what is printed and drawn. */
export function smoothedFace(e: TimelineEntry, face: Pick<FaceEmotion, 'box' | 'score' | 'roll'>, uncertainBelow: number): FaceEmotion {
  const confidence = e.emotions[e.emotion];
  return { ...face, emotions: e.emotions, emotion: e.emotion, confidence, top: rankEmotions(e.emotions), uncertain: confidence < uncertainBelow };
}

/** A face of a frame as printed: the face record of `predict`, with the smoothed emotions and the track's id. */
export const frameRecord = (e: TimelineEntry, face: FaceEmotion): FrameRecord => ({
  time: r3(e.time),
  frame: e.frame,
  ...faceRecord(face, e.faceId),
});
