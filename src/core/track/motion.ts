/**
 * Following a face between detections without running the detector: the
 * face's grey patch (a small grid of cell means over its box) is looked for
 * in the next frame, over shifts and a little zoom, coarse to fine. It costs
 * a few milliseconds per face, against tens to hundreds for a detector
 * pass. Pure.
 */
import type { Box } from '../image/geometry.js';
import type { GreyIntegral } from './grey.js';

/** Cells per side of a face's patch. */
export const PATCH_CELLS = 20;

/**
 * The default largest mismatch for a face to count as found: the mean
 * absolute difference between the patches (each less its mean) as a share
 * of the face patch's own mean deviation. The same face measures about
 * 0.1 to 0.3 from frame to frame; a different picture 0.8 or more.
 */
export const DEFAULT_MAX_MISMATCH = 0.5;

/** A face's grey patch: the mean of each cell of a grid over its box, less the patch's mean, and its mean absolute deviation. */
export interface FacePatch {
  cells: Float32Array;
  /** Mean absolute value of `cells` (at least 1, so that flat patches compare). */
  spread: number;
}

/** The patch of `box` in a frame. Pure. */
export function facePatch(g: GreyIntegral, box: Box, cells = PATCH_CELLS): FacePatch {
  const out = new Float32Array(cells * cells);
  const mean = sampleInto(g, box, cells, out);
  let spread = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] -= mean;
    spread += Math.abs(out[i]);
  }
  return { cells: out, spread: Math.max(1, spread / out.length) };
}

/** Cell edges along one axis: `cells + 1` whole pixel positions clipped to 0..length, each cell at least a pixel wide. */
function edges(start: number, size: number, cells: number, length: number, out: Int32Array): void {
  for (let i = 0; i <= cells; i++) out[i] = Math.min(length, Math.max(0, Math.round(start + (i * size) / cells)));
  for (let i = 0; i < cells; i++) {
    if (out[i] >= length) out[i] = length - 1;
    if (out[i + 1] <= out[i]) out[i + 1] = out[i] + 1;
  }
}

/** Fills `out` with the cell means of `box` (areaMean of each cell, computed with the edges shared); returns their mean. */
function sampleInto(g: GreyIntegral, box: Box, cells: number, out: Float32Array): number {
  const xs = new Int32Array(cells + 1),
    ys = new Int32Array(cells + 1);
  edges(box.x, box.width, cells, g.width, xs);
  edges(box.y, box.height, cells, g.height, ys);
  const s = g.width + 1;
  const sums = g.sums;
  let total = 0;
  for (let r = 0; r < cells; r++) {
    const top = ys[r] * s,
      bottom = ys[r + 1] * s;
    const rows = ys[r + 1] - ys[r];
    for (let c = 0; c < cells; c++) {
      const a = xs[c],
        b = xs[c + 1];
      const v = (sums[bottom + b] - sums[top + b] - sums[bottom + a] + sums[top + a]) / (rows * (b - a));
      out[r * cells + c] = v;
      total += v;
    }
  }
  return total / out.length;
}

/** Where a face's patch was found. */
export interface PatchMatch {
  box: Box;
  /** Mismatch with the patch looked for, as a share of its spread (0: identical). */
  mismatch: number;
}

/**
 * Looks for `patch` (taken from a face at `box` in an earlier frame) in the
 * frame `g`, around `box`: shifts up to about half the box's size and
 * zoom of up to about 25%, coarse to fine. Returns the best place found,
 * or undefined when even that differs by more than `maxMismatch`, or lies
 * mostly outside the picture. Pure.
 */
export function findPatch(g: GreyIntegral, patch: FacePatch, box: Box, maxMismatch = DEFAULT_MAX_MISMATCH): PatchMatch | undefined {
  const cells = Math.round(Math.sqrt(patch.cells.length));
  const buffer = new Float32Array(patch.cells.length);
  const cx0 = box.x + box.width / 2,
    cy0 = box.y + box.height / 2;
  const at = (cx: number, cy: number, s: number): Box => {
    const width = box.width * s,
      height = box.height * s;
    return { x: cx - width / 2, y: cy - height / 2, width, height };
  };
  const cost = (cx: number, cy: number, s: number): number => {
    const mean = sampleInto(g, at(cx, cy, s), cells, buffer);
    let sad = 0;
    for (let i = 0; i < buffer.length; i++) sad += Math.abs(buffer[i] - mean - patch.cells[i]);
    return sad / buffer.length / patch.spread;
  };
  let best = { cx: cx0, cy: cy0, s: 1, cost: cost(cx0, cy0, 1) };
  // coarse: shifts on a 7 x 7 grid of 12% of the box
  const coarse = 0.12;
  for (let dy = -3; dy <= 3; dy++) {
    for (let dx = -3; dx <= 3; dx++) {
      if (!dx && !dy) continue;
      const cx = cx0 + dx * coarse * box.width,
        cy = cy0 + dy * coarse * box.height;
      const c = cost(cx, cy, 1);
      if (c < best.cost) best = { cx, cy, s: 1, cost: c };
    }
  }
  // fine: the 26 neighbours in shift and zoom, halving the steps
  for (const [step, zoom] of [
    [0.06, 1.08],
    [0.03, 1.04],
    [0.015, 1.02],
    [0.0075, 1.01],
  ]) {
    for (let round = 0; round < 3; round++) {
      const from = best;
      for (const ds of [1 / zoom, 1, zoom]) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (!dx && !dy && ds === 1) continue;
            const s = from.s * ds;
            if (s < 0.75 || s > 1.33) continue;
            const cx = from.cx + dx * step * box.width * from.s,
              cy = from.cy + dy * step * box.height * from.s;
            const c = cost(cx, cy, s);
            if (c < best.cost) best = { cx, cy, s, cost: c };
          }
        }
      }
      if (best === from) break;
    }
  }
  const found = at(best.cx, best.cy, best.s);
  const inside =
    Math.max(0, Math.min(g.width, found.x + found.width) - Math.max(0, found.x)) *
    Math.max(0, Math.min(g.height, found.y + found.height) - Math.max(0, found.y));
  if (best.cost > maxMismatch || inside < 0.5 * found.width * found.height) return undefined;
  return { box: found, mismatch: best.cost };
}
