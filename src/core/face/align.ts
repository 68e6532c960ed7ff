/** Where to cut a face: pure geometry from a detected box and the eyes. */
import type { Box, CropGeometry, Point } from '../image/geometry.js';

/** Angle of the line from the left eye to the right eye (0 when level). */
export function eyeAngle(leftEye: Point, rightEye: Point): number {
  return Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x);
}

/** Mean of points. */
export function centroid(points: readonly Point[]): Point {
  const s = points.reduce((a, p) => ({ x: a.x + p.x, y: a.y + p.y }), { x: 0, y: 0 });
  return { x: s.x / points.length, y: s.y / points.length };
}

/** Where the recognizer cuts a face, relative to the detector's box. */
export interface CropFraming {
  /** Room added on each side of the box's longer side, as a share of it. */
  margin: number;
  /** How far the crop's centre lies below the box's centre, as a share of the crop's side (negative: above). */
  shiftY: number;
  /**
   * Frame by the eyes where they are known, instead of by the box: the
   * distance between the eyes as a share of the crop's side, and the height
   * of their midpoint from the crop's top, as a share of its side.
   */
  eyes?: { distance: number; y: number };
}

/**
 * The framing of FER2013's faces: a square of the box's longer side, centred
 * on the box. `npm run bench:framing` places FER2013 faces in larger
 * pictures and finds them with both detectors: the crop that matches
 * FER2013's on the median face needs a margin of -0.011 to +0.006 and a
 * shift of -0.009 to +0.002, that is none. The box grown by 10% per side,
 * ferkit's framing before, cut 1.19-1.23 times FER2013's side and scored
 * 2 to 6 points lower through the detector (docs/models.md).
 */
export const DEFAULT_FRAMING: CropFraming = { margin: 0, shiftY: 0 };

/**
 * The square crop of a detected face: the box's larger side grown by
 * `margin` on each side, centred on the box and moved down by `shiftY` of
 * its side (along the levelled face), rotated so the eyes are level when
 * they are known; or, with `framing.eyes` and the eyes known, sized and
 * placed by the eyes. A number is a margin with no shift.
 */
export function cropGeometry(box: Box, eyes?: { left: Point; right: Point }, framing: number | CropFraming = DEFAULT_FRAMING): CropGeometry {
  const f: CropFraming = typeof framing === 'number' ? { margin: framing, shiftY: 0 } : framing;
  const { margin, shiftY } = f;
  const angle = eyes ? eyeAngle(eyes.left, eyes.right) : 0;
  if (eyes && f.eyes) {
    const side = Math.hypot(eyes.right.x - eyes.left.x, eyes.right.y - eyes.left.y) / f.eyes.distance;
    if (side > 0) {
      const down = (0.5 - f.eyes.y) * side;
      const mid = { x: (eyes.left.x + eyes.right.x) / 2, y: (eyes.left.y + eyes.right.y) / 2 };
      return { center: { x: mid.x - Math.sin(angle) * down, y: mid.y + Math.cos(angle) * down }, side, angle };
    }
  }
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  const down = shiftY * side;
  const center = { x: box.x + box.width / 2 - Math.sin(angle) * down, y: box.y + box.height / 2 + Math.cos(angle) * down };
  return { center, side, angle };
}
