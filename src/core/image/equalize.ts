/**
 * Contrast equalisation of grey faces, the optional first step of a model's
 * preprocessing (`Preprocessing.equalize`): the same pure functions run on
 * training faces and on the crops a model reads in use. Platform-neutral.
 */
import { FerkitError } from '../errors.js';
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from './preprocess.js';

/** `histogram`: global histogram equalisation; `clahe`: contrast-limited adaptive equalisation over a 4x4 grid of tiles. */
export type Equalization = 'histogram' | 'clahe';

export const EQUALIZATIONS: readonly Equalization[] = ['histogram', 'clahe'];

/** CLAHE's grid (tiles per side) and clip limit (times the mean count per grey level), as ferkit applies it to 48x48 faces. */
export const CLAHE_GRID = 4;
export const CLAHE_CLIP_LIMIT = 3;

/** Grey level -> equalised level from a histogram of `total` pixels: the cumulative share, stretched from the lowest level present. */
function cdfTable(hist: Float64Array, total: number, out: Uint8Array): void {
  let first = 0;
  while (first < 255 && hist[first] === 0) first++;
  const base = hist[first];
  if (base >= total) {
    // one grey level only: left as it is
    for (let v = 0; v < 256; v++) out[v] = v;
    return;
  }
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    sum += hist[v];
    out[v] = v < first ? 0 : Math.round(((sum - base) / (total - base)) * 255);
  }
}

/** Global histogram equalisation of one image (grey bytes, any shape) into `out`. Pure. */
export function equalizeHistogram(src: Uint8Array, out: Uint8Array = new Uint8Array(src.length)): Uint8Array {
  const hist = new Float64Array(256);
  for (let i = 0; i < src.length; i++) hist[src[i]]++;
  const lut = new Uint8Array(256);
  cdfTable(hist, src.length, lut);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
  return out;
}

/**
 * Contrast-limited adaptive histogram equalisation (CLAHE) of one square
 * image of `size` x `size` grey bytes into `out`: each tile of a
 * `grid` x `grid` grid gets its own equalisation, with the count of each grey
 * level clipped at `clipLimit` times the mean (the excess spread over all
 * levels), and each pixel blends the tables of the four nearest tile
 * centres bilinearly. Pure.
 */
export function claheImage(
  src: Uint8Array,
  size: number,
  out: Uint8Array = new Uint8Array(src.length),
  grid = CLAHE_GRID,
  clipLimit = CLAHE_CLIP_LIMIT,
): Uint8Array {
  if (src.length !== size * size || size % grid !== 0)
    throw new FerkitError('BAD_ARGUMENT', `CLAHE needs a square image whose side (${size}) the grid (${grid}) divides`);
  const tile = size / grid;
  const area = tile * tile;
  const clip = Math.max(1, (clipLimit * area) / 256);
  const luts = new Uint8Array(grid * grid * 256);
  const hist = new Float64Array(256);
  for (let ty = 0; ty < grid; ty++) {
    for (let tx = 0; tx < grid; tx++) {
      hist.fill(0);
      for (let y = ty * tile; y < (ty + 1) * tile; y++) for (let x = tx * tile; x < (tx + 1) * tile; x++) hist[src[y * size + x]]++;
      let excess = 0;
      for (let v = 0; v < 256; v++) {
        if (hist[v] > clip) {
          excess += hist[v] - clip;
          hist[v] = clip;
        }
      }
      const share = excess / 256;
      for (let v = 0; v < 256; v++) hist[v] += share;
      // the cumulative share from 0 (not stretched from the lowest level: clipping keeps every level)
      const lut = luts.subarray((ty * grid + tx) * 256, (ty * grid + tx + 1) * 256);
      let sum = 0;
      for (let v = 0; v < 256; v++) {
        sum += hist[v];
        lut[v] = Math.min(255, Math.round((sum / area) * 255));
      }
    }
  }
  // each pixel blends the tables of the four nearest tile centres: per row and per column, which two and how much
  const lo = new Int32Array(size);
  const hi = new Int32Array(size);
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const f = (i + 0.5) / tile - 0.5;
    const first = Math.floor(f);
    w[i] = f - first;
    lo[i] = Math.max(0, first);
    hi[i] = Math.min(grid - 1, first + 1);
  }
  for (let y = 0; y < size; y++) {
    const wy = w[y];
    const top = lo[y] * grid * 256;
    const bottom = hi[y] * grid * 256;
    for (let x = 0; x < size; x++) {
      const wx = w[x];
      const v = src[y * size + x];
      const left = lo[x] * 256 + v;
      const right = hi[x] * 256 + v;
      const upper = luts[top + left] * (1 - wx) + luts[top + right] * wx;
      const lower = luts[bottom + left] * (1 - wx) + luts[bottom + right] * wx;
      out[y * size + x] = Math.round(upper * (1 - wy) + lower * wy);
    }
  }
  return out;
}

/**
 * Every 48x48 face of a pixel array (count * 48 * 48 grey bytes) equalised
 * by `method`, as a new array; the array itself when `method` is undefined. Pure.
 */
export function equalized(pixels: Uint8Array, method: Equalization | undefined): Uint8Array {
  if (method === undefined) return pixels;
  if (!EQUALIZATIONS.includes(method)) throw new FerkitError('BAD_ARGUMENT', `unknown equalisation "${String(method)}"; use ${EQUALIZATIONS.join(' or ')}`);
  if (pixels.length % PIXELS_PER_IMAGE !== 0) throw new FerkitError('BAD_ARGUMENT', `expected whole 48x48 faces, got ${pixels.length} bytes`);
  const out = new Uint8Array(pixels.length);
  for (let o = 0; o < pixels.length; o += PIXELS_PER_IMAGE) {
    const src = pixels.subarray(o, o + PIXELS_PER_IMAGE);
    const dst = out.subarray(o, o + PIXELS_PER_IMAGE);
    if (method === 'histogram') equalizeHistogram(src, dst);
    else claheImage(src, IMAGE_SIZE, dst);
  }
  return out;
}
