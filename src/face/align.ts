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

/**
 * The square crop of a detected face: centred on the box, side the box's
 * larger side grown by `margin` on each side (FER2013 faces are framed
 * tightly, brow to chin), rotated so the eyes are level when they are known.
 */
export function cropGeometry(box: Box, eyes?: { left: Point; right: Point }, margin = 0.1): CropGeometry {
  const center = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  return { center, side, angle: eyes ? eyeAngle(eyes.left, eyes.right) : 0 };
}
