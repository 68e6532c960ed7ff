/**
 * Detection at a bounded working size: a large picture is shrunk before the
 * detector sees it, so the cost of finding faces (the detector's tiles, its
 * input tensor) has a ceiling whatever the picture's size. The faces come
 * back in the picture's own pixels; the emotion crops are still cut from
 * the full picture. Pure TypeScript, platform-neutral.
 */
import type { RgbImage } from '../image/pixels.js';
import type { DetectedFace } from './detector.js';

/**
 * The default longest side at which faces are searched: 2080 pixels, where
 * the detector's 640-pixel tiles (stride 480) number at most 4 x 4. A face
 * of 20 pixels there is one of 40 in a 4160-pixel-wide photo.
 */
export const DEFAULT_DETECTION_SIZE = 2080;

/** The factor (at most 1) that brings a picture's longer side down to `maxSide`. Pure. */
export function workingScale(width: number, height: number, maxSide: number): number {
  const side = Math.max(width, height);
  return side > maxSide ? maxSide / side : 1;
}

/** An RGB picture shrunk by `scale` (< 1), each output pixel the mean of the input pixels it covers. Pure. */
export function shrinkRgb(img: RgbImage, scale: number): RgbImage {
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const fx = img.width / width;
  const fy = img.height / height;
  const x0 = new Int32Array(width + 1);
  for (let x = 0; x <= width; x++) x0[x] = Math.min(img.width, Math.round(x * fx));
  const out = new Uint8Array(width * height * 3);
  const row = new Float64Array(width * 3);
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const ys = Math.min(img.height - 1, Math.round(y * fy));
    const ye = Math.max(ys + 1, Math.min(img.height, Math.round((y + 1) * fy)));
    row.fill(0);
    for (let sy = ys; sy < ye; sy++) {
      const base = sy * img.width * 3;
      for (let x = 0; x < width; x++) {
        let r = 0,
          g = 0,
          b = 0;
        const xe = Math.max(x0[x] + 1, x0[x + 1]);
        for (let sx = Math.min(x0[x], img.width - 1); sx < xe; sx++) {
          const p = base + sx * 3;
          r += src[p];
          g += src[p + 1];
          b += src[p + 2];
        }
        row[x * 3] += r;
        row[x * 3 + 1] += g;
        row[x * 3 + 2] += b;
      }
    }
    for (let x = 0; x < width; x++) {
      const n = (ye - ys) * (Math.max(x0[x] + 1, x0[x + 1]) - Math.min(x0[x], img.width - 1));
      const o = (y * width + x) * 3;
      out[o] = Math.round(row[x * 3] / n);
      out[o + 1] = Math.round(row[x * 3 + 1] / n);
      out[o + 2] = Math.round(row[x * 3 + 2] / n);
    }
  }
  return { data: out, width, height };
}

/** Points, boxes and lists of them with their coordinates divided by `sx` (x, width) and `sy` (y, height); other values as they are. */
function unscale<T>(value: T, sx: number, sy: number): T {
  if (Array.isArray(value)) return value.map((v: unknown) => unscale(v, sx, sy)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'number') out[k] = k === 'x' || k === 'width' ? v / sx : k === 'y' || k === 'height' ? v / sy : v;
    else out[k] = unscale(v, sx, sy);
  }
  return out as T;
}

/** What detectAt needs of a detector: its detect() (any extra arguments are passed on) and dispose(). */
interface AnyDetector {
  detect(img: RgbImage, ...rest: never[]): Promise<DetectedFace[]>;
  dispose(): void;
}

/**
 * A detector that searches pictures at most `maxSide` pixels on their longer
 * side: larger ones are shrunk first, and the faces found are given back in
 * the picture's own pixels.
 */
export function atWorkingSize<D extends AnyDetector>(detector: D, maxSide = DEFAULT_DETECTION_SIZE): D {
  const bounded = Object.create(detector) as D;
  bounded.detect = async (img: RgbImage, ...rest: never[]) => {
    const scale = workingScale(img.width, img.height, maxSide);
    if (scale === 1) return detector.detect(img, ...rest);
    const small = shrinkRgb(img, scale);
    const faces = await detector.detect(small, ...rest);
    return faces.map((f) => unscale(f, small.width / img.width, small.height / img.height));
  };
  return bounded;
}
