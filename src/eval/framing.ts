/**
 * How a face crop is framed: where the detector path would cut a face that
 * a dataset (FER2013, CK+48) already gives cropped. A tight crop is placed,
 * enlarged, in a bigger picture so that a detector sees the whole face with
 * some room around it; the detector's box, eyes and the recognizer's crop
 * are then expressed in units of the original crop's side (0..1, origin at
 * its top left). A crop framed exactly like the dataset has centre
 * (0.5, 0.5) and side 1. Pure.
 */
import type { CropGeometry, Point } from '../core/image/geometry.js';
import type { RgbImage } from '../core/image/pixels.js';
import { extractCrop } from '../core/image/preprocess.js';
import type { DetectedFace } from '../core/face/detector.js';
import type { CropFraming } from '../core/face/align.js';
import { quantileSorted } from './intervals.js';

/** A tight face crop inside a bigger picture, and how to map the picture back onto the crop. */
export interface FramedFace {
  image: RgbImage;
  /** Picture pixels per pixel of the original crop. */
  scale: number;
  /** Where the crop's top-left corner lies in the picture (pixels). */
  offset: number;
  /** The crop's side in its own pixels. */
  side: number;
}

/**
 * Places a square grey crop (`side` x `side` bytes), enlarged `scale` times
 * (bilinear), in the middle of a picture with `border` times its side of
 * room on each side, filled with the crop's mean grey. Face detectors need
 * that room: on FER2013 crops with half a side of room SSD-MobileNet finds
 * a few faces in a hundred, with one and a half sides about half of them
 * (BlazeFace finds nearly all with either).
 */
export function framedFace(grey: Uint8Array, side: number, scale = 4, border = 1.5): FramedFace {
  const inner = Math.round(side * scale);
  const big = extractCrop(Float32Array.from(grey), side, side, { center: { x: side / 2, y: side / 2 }, side, angle: 0 }, inner);
  const offset = Math.round(border * inner);
  const size = inner + 2 * offset;
  let mean = 0;
  for (const g of grey) mean += g;
  mean = Math.round(mean / grey.length);
  const data = new Uint8Array(size * size * 3).fill(mean);
  for (let y = 0; y < inner; y++)
    for (let x = 0; x < inner; x++) {
      const o = 3 * ((y + offset) * size + x + offset);
      data[o] = data[o + 1] = data[o + 2] = big[y * inner + x];
    }
  return { image: { data, width: size, height: size }, scale: inner / side, offset, side };
}

/** A face found in a framed crop, in units of the crop's side. */
export interface FaceFraming {
  /** Centre of the detector's box. */
  boxCenter: Point;
  /** The box's width and height. */
  boxWidth: number;
  boxHeight: number;
  /** Eye centres (the person's left eye is on the picture's right), where the detector gave them. */
  eyes?: { left: Point; right: Point };
  /** The square the recognizer cuts: its centre and side. */
  cropCenter: Point;
  cropSide: number;
}

/** The face and the recognizer's crop of it in units of the original crop's side. */
export function faceFraming(face: DetectedFace, crop: CropGeometry, framed: FramedFace): FaceFraming {
  const unit = framed.scale * framed.side;
  const p = (q: Point): Point => ({ x: (q.x - framed.offset) / unit, y: (q.y - framed.offset) / unit });
  const { box } = face;
  return {
    boxCenter: p({ x: box.x + box.width / 2, y: box.y + box.height / 2 }),
    boxWidth: box.width / unit,
    boxHeight: box.height / unit,
    ...(face.eyes ? { eyes: { left: p(face.eyes.left), right: p(face.eyes.right) } } : {}),
    cropCenter: p(crop.center),
    cropSide: crop.side / unit,
  };
}

/** Median and quartiles of one measure. */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantileSorted(sorted, 0.5), q1: quantileSorted(sorted, 0.25), q3: quantileSorted(sorted, 0.75) };
}

/** Summary of many framings: how the detector path frames the faces a dataset crops. */
export interface FramingSummary {
  faces: number;
  boxCenterX: Spread;
  boxCenterY: Spread;
  boxWidth: Spread;
  boxHeight: Spread;
  /** Over the faces with eyes. */
  eyeMidX?: Spread;
  eyeMidY?: Spread;
  eyeDistance?: Spread;
  cropCenterX: Spread;
  cropCenterY: Spread;
  cropSide: Spread;
}

export function summarizeFraming(framings: readonly FaceFraming[]): FramingSummary {
  const of = (f: (x: FaceFraming) => number) => spread(framings.map(f));
  const withEyes = framings.filter((f) => f.eyes);
  const eyes = (f: (e: { left: Point; right: Point }) => number) => spread(withEyes.map((x) => f(x.eyes!)));
  return {
    faces: framings.length,
    boxCenterX: of((f) => f.boxCenter.x),
    boxCenterY: of((f) => f.boxCenter.y),
    boxWidth: of((f) => f.boxWidth),
    boxHeight: of((f) => f.boxHeight),
    ...(withEyes.length
      ? {
          eyeMidX: eyes((e) => (e.left.x + e.right.x) / 2),
          eyeMidY: eyes((e) => (e.left.y + e.right.y) / 2),
          eyeDistance: eyes((e) => Math.hypot(e.right.x - e.left.x, e.right.y - e.left.y)),
        }
      : {}),
    cropCenterX: of((f) => f.cropCenter.x),
    cropCenterY: of((f) => f.cropCenter.y),
    cropSide: of((f) => f.cropSide),
  };
}

/**
 * The framing whose crops match the dataset's on the median face: from a
 * summary measured with no margin and no shift (crop = the box's longer
 * side, centred on the box), the margin that makes the median crop side 1
 * and the shift that puts the median crop centre at 0.5.
 */
export function fitFraming(bare: FramingSummary): CropFraming {
  const side = bare.cropSide.median;
  return { margin: (1 / side - 1) / 2, shiftY: 0.5 - bare.cropCenterY.median };
}

/** The same, framed by the eyes where the detector gives them: the median eye distance and eye height. */
export function fitEyeFraming(bare: FramingSummary): CropFraming {
  const box = fitFraming(bare);
  return bare.eyeDistance && bare.eyeMidY ? { ...box, eyes: { distance: bare.eyeDistance.median, y: bare.eyeMidY.median } } : box;
}
