/**
 * The records ferkit prints and serves: one shape for a face and one for a
 * picture, whatever the command (predict, video, the service), rounded for
 * output. Pure.
 */
import { EMOTIONS, type Emotion } from './labels.js';
import type { FaceEmotion } from './recognizer.js';
import type { FerkitErrorCode } from './errors.js';

/** A face as printed: the library's `FaceEmotion`, rounded, with its number. */
export interface FaceRecord {
  /** 1-based number of the face in its picture (in a video: the tracked face's id). */
  faceId: number;
  /** Where the face is, in input pixels (0.1 px). */
  box: { x: number; y: number; width: number; height: number };
  /** Detection confidence. */
  score: number;
  emotion: Emotion;
  confidence: number;
  uncertain: boolean;
  /** The emotions, most probable first. */
  top: { label: Emotion; score: number }[];
  /** Each emotion's probability, in FER2013's order. */
  emotions: Record<Emotion, number>;
  /** Head roll that was levelled, in degrees. */
  roll: number;
  /** The eyes' centres in input pixels (0.1 px), `left` the one on the picture's left; where the detector gives them. */
  eyes?: { left: { x: number; y: number }; right: { x: number; y: number } };
}

/** A picture as printed: always a list of faces (empty when there is none), or an error. */
export interface PictureRecord {
  file: string;
  faces: FaceRecord[];
  error?: { code: FerkitErrorCode | 'INTERNAL'; message: string };
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r4 = (v: number) => Number(v.toFixed(4));

export function faceRecord(face: FaceEmotion, faceId: number): FaceRecord {
  const b = face.box;
  return {
    faceId,
    box: { x: r1(b.x), y: r1(b.y), width: r1(b.width), height: r1(b.height) },
    score: r4(face.score),
    emotion: face.emotion,
    confidence: r4(face.confidence),
    uncertain: face.uncertain,
    top: face.top.map((t) => ({ label: t.label, score: r4(t.score) })),
    emotions: Object.fromEntries(EMOTIONS.map((e) => [e, r4(face.emotions[e])])) as Record<Emotion, number>,
    roll: r1(face.roll),
    ...(face.eyes
      ? { eyes: { left: { x: r1(face.eyes.left.x), y: r1(face.eyes.left.y) }, right: { x: r1(face.eyes.right.x), y: r1(face.eyes.right.y) } } }
      : {}),
  };
}

/** A picture's faces, numbered from 1 in the recognizer's order. */
export function pictureRecord(file: string, faces: readonly FaceEmotion[]): PictureRecord {
  return { file, faces: faces.map((f, i) => faceRecord(f, i + 1)) };
}

/** The record of a picture that could not be read or recognised: no faces, and its error. */
export function failedPictureRecord(file: string, code: NonNullable<PictureRecord['error']>['code'], message: string): PictureRecord {
  return { file, faces: [], error: { code, message } };
}

/** The CSV columns of a face row, and a face's row (without the file). */
export const FACE_CSV_COLUMNS = ['faceId', 'x', 'y', 'width', 'height', 'score', 'emotion', 'confidence', 'uncertain', ...EMOTIONS] as const;

export function faceCsvCells(f: FaceRecord): (string | number | boolean)[] {
  return [f.faceId, f.box.x, f.box.y, f.box.width, f.box.height, f.score, f.emotion, f.confidence, f.uncertain, ...EMOTIONS.map((e) => f.emotions[e])];
}
