/** How long each stage of the webcam loop took: the last few hundred frames, and their medians. */
import type { FrameStages } from './worker-protocol.js';

export interface LoopStages extends FrameStages {
  /** From the worker posting a frame's answer to the page receiving it. */
  readBack: number;
  /** The page's work on the answer: the session, the overlay and (when due) the cards. */
  drawing: number;
}

export const STAGE_NAMES: readonly (keyof LoopStages)[] = ['capture', 'pixels', 'detection', 'crops', 'emotion', 'readBack', 'drawing'];

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class StageTimes {
  private rows: (LoopStages & { detected: boolean; faces: number })[] = [];
  constructor(private readonly keep = 300) {}

  add(row: LoopStages, detected: boolean, faces: number): void {
    this.rows.push({ ...row, detected, faces });
    if (this.rows.length > this.keep) this.rows.shift();
  }

  /**
   * Median milliseconds of each stage over the frames kept, `detector` the
   * median over the frames the detector ran on (the others only move
   * their boxes on), the share of frames it ran on and the mean faces per frame.
   */
  medians(): Record<keyof LoopStages, number> & { detector: number; detectedShare: number; facesPerFrame: number; frames: number } {
    const out = Object.fromEntries(STAGE_NAMES.map((k) => [k, median(this.rows.map((r) => r[k]))])) as Record<keyof LoopStages, number>;
    const detected = this.rows.filter((r) => r.detected);
    return {
      ...out,
      detector: median(detected.map((r) => r.detection)),
      detectedShare: detected.length / Math.max(1, this.rows.length),
      facesPerFrame: this.rows.reduce((n, r) => n + r.faces, 0) / Math.max(1, this.rows.length),
      frames: this.rows.length,
    };
  }

  reset(): void {
    this.rows = [];
  }
}
