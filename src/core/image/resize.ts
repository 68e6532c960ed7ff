/**
 * Bilinear resizing into a network's NCHW float input, computed exactly as
 * TensorFlow's resizeBilinear (no corner alignment, no half-pixel centres),
 * so that a network converted to ONNX sees the input TensorFlow.js gave it.
 * Platform-neutral and pure.
 */
import type { RgbImage } from './pixels.js';
import type { Box } from './geometry.js';

/** What to resize, and how the result is scaled. */
export interface ResizeSpec {
  /** The source rectangle in picture pixels (whole numbers; may reach past the real pixels, which read as 0). */
  region: Box;
  /** Where the real pixels are: the picture, or a crop of it. Outside, the value is 0 (black), as TensorFlow's zero padding. */
  valid: Box;
  /** Size the region is resized to. */
  width: number;
  height: number;
  /** Size of the output plane; the resized region sits at its top left, the rest is raw 0. Default: width x height. */
  planeWidth?: number;
  planeHeight?: number;
  /** Output = (value + add[channel]) * mul. */
  add: readonly [number, number, number];
  mul: number;
}

/**
 * Writes one picture's resized region into `out` (3 planes of
 * planeHeight x planeWidth, starting at `offset`), as a network's NCHW
 * input. Returns `out`.
 */
export function resizeToNchw(img: RgbImage, spec: ResizeSpec, out?: Float32Array, offset = 0): Float32Array {
  const pw = spec.planeWidth ?? spec.width,
    ph = spec.planeHeight ?? spec.height;
  const plane = pw * ph;
  const dest = out ?? new Float32Array(plane * 3);
  const { region, valid, mul, add } = spec;
  const sy = region.height / spec.height,
    sx = region.width / spec.width;
  const vx0 = valid.x,
    vy0 = valid.y,
    vx1 = valid.x + valid.width,
    vy1 = valid.y + valid.height;
  const { data, width: iw } = img;
  // per output column: the byte offsets of the left and right source pixels in a row (-1 outside the real pixels) and the right one's weight
  const xl = new Int32Array(spec.width),
    xr = new Int32Array(spec.width);
  const fx = new Float32Array(spec.width);
  const colOffset = (px: number) => (px >= vx0 && px < vx1 ? px * 3 : -1);
  for (let x = 0; x < spec.width; x++) {
    const inX = x * sx;
    const x0 = Math.floor(inX);
    xl[x] = colOffset(region.x + x0);
    xr[x] = colOffset(region.x + Math.min(x0 + 1, region.width - 1));
    fx[x] = inX - x0;
  }
  const rowOffset = (py: number) => (py >= vy0 && py < vy1 ? py * iw * 3 : -1);
  const at = (row: number, col: number, c: number) => (row < 0 || col < 0 ? 0 : data[row + col + c]);
  const [a0, a1, a2] = add;
  for (let y = 0; y < spec.height; y++) {
    const inY = y * sy;
    const y0 = Math.floor(inY);
    const top = rowOffset(region.y + y0),
      bottom = rowOffset(region.y + Math.min(y0 + 1, region.height - 1));
    const dy = inY - y0;
    const row = offset + y * pw;
    for (let x = 0; x < spec.width; x++) {
      const l = xl[x],
        r = xr[x],
        f = fx[x];
      for (let c = 0; c < 3; c++) {
        const tl = at(top, l, c),
          tr = at(top, r, c),
          bl = at(bottom, l, c),
          br = at(bottom, r, c);
        const t = tl + (tr - tl) * f;
        const v = t + (bl + (br - bl) * f - t) * dy;
        dest[row + c * plane + x] = (v + (c === 0 ? a0 : c === 1 ? a1 : a2)) * mul;
      }
    }
  }
  // the plane's rest (right of and below the resized region) is raw 0
  if (pw > spec.width || ph > spec.height)
    for (let c = 0; c < 3; c++) {
      const fill = (c === 0 ? a0 : c === 1 ? a1 : a2) * mul;
      const base = offset + c * plane;
      for (let y = 0; y < ph; y++) {
        if (y < spec.height) dest.fill(fill, base + y * pw + spec.width, base + (y + 1) * pw);
        else dest.fill(fill, base + y * pw, base + (y + 1) * pw);
      }
    }
  return dest;
}
