import { FerkitError } from '../core/errors.js';
import { createRng, mixSeed, type Rng } from '../core/random.js';

/** On-the-fly augmentation of 48x48 grey faces; every field is off when 0/false. */
export interface AugmentConfig {
  /** Mirror left-right with probability 0.5. */
  flip: boolean;
  /** Largest shift, as a share of the side (e.g. 0.1). */
  shift: number;
  /** Largest rotation in degrees (e.g. 10). */
  rotate: number;
  /** Largest zoom in or out, as a share (0.1 = 0.9x..1.1x). */
  zoom: number;
  /** Largest brightness change, as a share of full scale (0.2 = +-0.2). */
  brightness: number;
  /** Largest contrast change, as a share (0.2 = 0.8x..1.2x around the mean). */
  contrast: number;
  /** Probability of erasing a random rectangle (random erasing). */
  erase: number;
}

export const NO_AUGMENTATION: AugmentConfig = { flip: false, shift: 0, rotate: 0, zoom: 0, brightness: 0, contrast: 0, erase: 0 };
/** The recommended recipe's augmentation. */
export const STANDARD_AUGMENTATION: AugmentConfig = { flip: true, shift: 0.1, rotate: 10, zoom: 0.1, brightness: 0.2, contrast: 0.2, erase: 0.25 };

/**
 * An augmentation from its text form: `none`, `standard`, or a list such as
 * `flip,shift=0.1,rotate=10` (a name alone turns flip on, or takes the
 * standard amount).
 */
export function parseAugment(spec: string): AugmentConfig {
  if (spec === 'none') return NO_AUGMENTATION;
  if (spec === 'standard') return STANDARD_AUGMENTATION;
  const out: AugmentConfig = { ...NO_AUGMENTATION };
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=') as [keyof AugmentConfig, string | undefined];
    if (!(key in NO_AUGMENTATION)) throw new FerkitError('BAD_ARGUMENT', `unknown augmentation "${key}"; use ${Object.keys(NO_AUGMENTATION).join(', ')}`);
    if (key === 'flip') out.flip = value === undefined ? true : value !== 'false' && value !== '0';
    else {
      const n = value === undefined ? (STANDARD_AUGMENTATION[key] as number) : Number(value);
      if (!(n >= 0)) throw new FerkitError('BAD_ARGUMENT', `augmentation ${key} needs a number >= 0, got "${value}"`);
      out[key] = n;
    }
  }
  return out;
}

export function isAugmenting(a: AugmentConfig): boolean {
  return a.flip || a.shift > 0 || a.rotate > 0 || a.zoom > 0 || a.brightness > 0 || a.contrast > 0 || a.erase > 0;
}

const uniform = (rng: Rng, max: number) => (rng() * 2 - 1) * max;

/**
 * Augments one normalised image ([0,1] floats, side x side) into `out`: one
 * affine warp (flip, rotation, zoom, shift; bilinear, edges replicated), then
 * brightness/contrast, then random erasing. Pure given the generator.
 */
export function augmentImage(src: Float32Array, out: Float32Array, side: number, a: AugmentConfig, rng: Rng): void {
  const flip = a.flip && rng() < 0.5 ? -1 : 1;
  const angle = (uniform(rng, a.rotate) * Math.PI) / 180;
  const scale = 1 + uniform(rng, a.zoom);
  const dx = uniform(rng, a.shift) * side,
    dy = uniform(rng, a.shift) * side;
  const cos = Math.cos(angle) / scale,
    sin = Math.sin(angle) / scale;
  const c = (side - 1) / 2;
  const at = (x: number, y: number) => src[Math.min(side - 1, Math.max(0, y)) * side + Math.min(side - 1, Math.max(0, x))];
  let sum = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      // output pixel -> source pixel (inverse map)
      const u = (x - c - dx) * flip,
        v = y - c - dy;
      const sx = cos * u + sin * v + c,
        sy = -sin * u + cos * v + c;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy),
        fx = sx - x0,
        fy = sy - y0;
      const val = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      out[y * side + x] = val;
      sum += val;
    }
  }
  const n = side * side;
  const mean = sum / n;
  const contrast = 1 + uniform(rng, a.contrast);
  const bright = uniform(rng, a.brightness);
  if (contrast !== 1 || bright !== 0) {
    for (let i = 0; i < n; i++) out[i] = Math.min(1, Math.max(0, (out[i] - mean) * contrast + mean + bright));
  }
  if (a.erase > 0 && rng() < a.erase) {
    const area = (0.02 + rng() * 0.18) * n;
    const ratio = Math.exp(uniform(rng, Math.log(3)));
    const h = Math.min(side, Math.round(Math.sqrt(area * ratio))),
      w = Math.min(side, Math.round(Math.sqrt(area / ratio)));
    const top = Math.floor(rng() * (side - h + 1)),
      left = Math.floor(rng() * (side - w + 1));
    for (let y = top; y < top + h; y++) for (let x = left; x < left + w; x++) out[y * side + x] = rng();
  }
}

/** Augments a whole normalised batch in place, seeded by (seed, step) so reruns and resumes repeat it. */
export function augmentBatch(batch: Float32Array, count: number, side: number, a: AugmentConfig, seed: number, step: number): void {
  const n = side * side;
  const tmp = new Float32Array(n);
  const rng = createRng(mixSeed(seed, 0xa06, step));
  for (let k = 0; k < count; k++) {
    const img = batch.subarray(k * n, (k + 1) * n);
    tmp.set(img);
    augmentImage(tmp, img, side, a, rng);
  }
}
