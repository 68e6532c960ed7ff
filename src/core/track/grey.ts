/**
 * A picture's grey levels as a summed-area table: the mean grey of any
 * rectangle in four look-ups, whatever its size. The scene-change test and
 * the motion follower read their small grey patches from it. Pure.
 */
import type { RgbImage } from '../image/pixels.js';
import type { Box } from '../image/geometry.js';

/** Summed-area table of a picture's grey levels (ITU-R BT.601 luminance, 0..255). */
export interface GreyIntegral {
  width: number;
  height: number;
  /** (width + 1) x (height + 1) running sums; row 0 and column 0 are zeros. */
  sums: Float64Array;
}

/** The summed-area table of an RGB picture's grey levels. Pure. */
export function greyIntegral(img: RgbImage): GreyIntegral {
  const { width, height, data } = img;
  const stride = width + 1;
  const sums = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    const src = y * width * 3;
    const above = y * stride;
    const here = (y + 1) * stride;
    for (let x = 0; x < width; x++) {
      const p = src + x * 3;
      row += 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
      sums[here + x + 1] = sums[above + x + 1] + row;
    }
  }
  return { width, height, sums };
}

/**
 * Mean grey of the rectangle [x0, x1) x [y0, y1) (fractional edges are
 * rounded), clipped to the picture; a rectangle wholly outside takes the
 * nearest edge pixels, as if the picture's borders went on. Pure.
 */
export function areaMean(g: GreyIntegral, x0: number, y0: number, x1: number, y1: number): number {
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(v)));
  let ax = clamp(x0, g.width - 1),
    ay = clamp(y0, g.height - 1);
  let bx = clamp(x1, g.width),
    by = clamp(y1, g.height);
  if (bx <= ax) bx = ax + 1;
  if (by <= ay) by = ay + 1;
  if (bx > g.width) {
    ax = g.width - 1;
    bx = g.width;
  }
  if (by > g.height) {
    ay = g.height - 1;
    by = g.height;
  }
  const s = g.width + 1;
  const sum = g.sums[by * s + bx] - g.sums[ay * s + bx] - g.sums[by * s + ax] + g.sums[ay * s + ax];
  return sum / ((bx - ax) * (by - ay));
}

/** The mean grey of each cell of a `cols` x `rows` grid laid over `box`, row by row. Pure. */
export function gridMeans(g: GreyIntegral, box: Box, cols: number, rows: number): Float32Array {
  const out = new Float32Array(cols * rows);
  const cw = box.width / cols,
    ch = box.height / rows;
  for (let r = 0; r < rows; r++) {
    const y0 = box.y + r * ch;
    for (let c = 0; c < cols; c++) {
      const x0 = box.x + c * cw;
      out[r * cols + c] = areaMean(g, x0, y0, x0 + cw, y0 + ch);
    }
  }
  return out;
}
