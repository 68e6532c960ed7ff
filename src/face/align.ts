/** Geometry of face crops: pure functions. */

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How a face is cut out of the picture for the emotion model. */
export interface CropGeometry {
  /** Centre of the crop in image pixels. */
  center: Point;
  /** Side of the square crop in image pixels. */
  side: number;
  /** Rotation in radians that levels the eyes (the crop is rotated by -angle). */
  angle: number;
}

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

/**
 * Cuts a rotated square out of a grey image and resamples it to
 * `size` x `size` bytes, averaging `supersample`^2 bilinear samples per output
 * pixel (so large faces are averaged, not aliased). Outside the image the
 * nearest edge pixel is used.
 */
export function extractCrop(grey: Float32Array, width: number, height: number, g: CropGeometry, size = 48, supersample = 4): Uint8Array {
  const out = new Uint8Array(size * size);
  const cos = Math.cos(g.angle), sin = Math.sin(g.angle);
  const step = g.side / size;
  const sub = step / supersample;
  const at = (x: number, y: number) => grey[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      let acc = 0;
      for (let sy = 0; sy < supersample; sy++) {
        for (let sx = 0; sx < supersample; sx++) {
          // offset from the crop centre in the crop's own (levelled) frame
          const u = (ox * step + (sx + 0.5) * sub) - g.side / 2;
          const v = (oy * step + (sy + 0.5) * sub) - g.side / 2;
          // rotate back into the image frame
          const x = g.center.x + u * cos - v * sin - 0.5;
          const y = g.center.y + u * sin + v * cos - 0.5;
          const x0 = Math.floor(x), y0 = Math.floor(y);
          const fx = x - x0, fy = y - y0;
          acc += (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
        }
      }
      out[oy * size + ox] = Math.round(acc / (supersample * supersample));
    }
  }
  return out;
}
