/**
 * The time of each stage of ferkit's pipeline over many calls, as
 * `DetectCall.onStage` tells it (src/core/face/detector.ts): a stage may be told
 * several times within a call (a tile, a detector of `auto`), so each call's
 * times are added up per stage, and each stage's figure is the median of
 * those sums over the calls.
 */
import { median } from './timing.js';
import type { DetectCall } from '../src/index.js';
import type { PipelineStage } from '../src/index.js';

/** The stages in the order a picture goes through them. */
export const STAGES: readonly PipelineStage[] = ['pixels', 'detection', 'landmarks', 'crops', 'emotion'];

/** Each stage's median milliseconds; `other` is the median of what each call spent outside the stages. */
export type StageTimes = Record<PipelineStage | 'other', number>;

/** One call: the milliseconds it spent in each stage, and its whole time. */
export interface StageCall {
  stages: Record<PipelineStage, number>;
  total: number;
}

/** Each stage's median over the calls of its per-call sum, and the median of the rest of each call (`other`). */
export function stageMedians(calls: readonly StageCall[]): StageTimes {
  const out = { other: median(calls.map((c) => c.total - STAGES.reduce((sum, s) => sum + c.stages[s], 0))) } as StageTimes;
  for (const s of STAGES) out[s] = median(calls.map((c) => c.stages[s]));
  return out;
}

/** Runs `f` with a `DetectCall` whose `onStage` adds up each stage's time, and returns the call's figures. */
export async function timeStages(f: (call: DetectCall) => Promise<unknown>): Promise<StageCall> {
  const stages = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<PipelineStage, number>;
  const t0 = performance.now();
  await f({ onStage: (stage, ms) => (stages[stage] += ms) });
  return { stages, total: performance.now() - t0 };
}
