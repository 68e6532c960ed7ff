import { createRng, mixSeed, permutation, type Rng } from '../core/random.js';

/** A standard normal draw (Box-Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A Gamma(shape, 1) draw (Marsaglia-Tsang; shapes below 1 by the u^(1/shape) boost). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(alpha, alpha) draw in [0, 1]. */
export function sampleBeta(alpha: number, rng: Rng): number {
  const a = sampleGamma(alpha, rng),
    b = sampleGamma(alpha, rng);
  return a + b > 0 ? a / (a + b) : 0.5;
}

/**
 * Mixup (Zhang et al., 2018) of a batch in place: each image and its target
 * become lam * own + (1 - lam) * partner's, the partners a seeded permutation
 * of the batch, lam one Beta(alpha, alpha) draw per batch, folded to at least
 * 0.5 so every image stays mostly itself. Seeded by (seed, step), so reruns
 * and resumes repeat it. Returns lam. Pure apart from the two arrays.
 */
export function mixupBatch(images: Float32Array, targets: Float32Array, count: number, numClasses: number, alpha: number, seed: number, step: number): number {
  if (count < 2) return 1;
  const rng = createRng(mixSeed(seed, 0x313, step));
  const drawn = sampleBeta(alpha, rng);
  const lam = Math.max(drawn, 1 - drawn);
  const partner = permutation(count, rng);
  const mix = (arr: Float32Array, size: number) => {
    const src = arr.slice(0, count * size);
    for (let k = 0; k < count; k++) {
      const own = k * size,
        other = partner[k] * size;
      for (let i = 0; i < size; i++) arr[own + i] = lam * src[own + i] + (1 - lam) * src[other + i];
    }
  };
  mix(images, images.length / count);
  mix(targets, numClasses);
  return lam;
}
