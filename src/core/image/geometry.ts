/** Points, boxes and crops in picture pixels. */

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
