import os from 'node:os';
import { cpuFlags } from '../src/entries/models.js';

/** Median milliseconds of `f` over `n` timed calls, after one warm-up call. */
export async function medianMs(f: () => Promise<unknown>, n: number): Promise<number> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median of some figures (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The CPU the figures were measured on: model, cores and its widest vector instructions. */
export function cpuDescription(): string {
  const cpus = os.cpus();
  const flags = cpuFlags();
  const simd = / avx512f/.test(flags) ? 'AVX-512' : / avx2/.test(flags) ? 'AVX2' : flags ? 'no AVX2' : 'unknown SIMD';
  return `${cpus[0]?.model?.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${simd}`;
}

/** Times each task `n` times after one warm-up call, the tasks taking turns (each round starting with the next). */
export async function interleaved(tasks: Record<string, () => Promise<unknown>>, n: number): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = {};
  for (const [name, f] of Object.entries(tasks)) {
    await f();
    times[name] = [];
  }
  const entries = Object.entries(tasks);
  for (let i = 0; i < n; i++) {
    for (const [name, f] of [...entries.slice(i % entries.length), ...entries.slice(0, i % entries.length)]) {
      const t0 = performance.now();
      await f();
      times[name].push(performance.now() - t0);
    }
  }
  return times;
}

/**
 * Runs each task `n` times, the tasks taking turns as interleaved()'s do
 * (each round starting with the next), without a warm-up: what each call
 * returned, per task. For measurements that time themselves, such as whole
 * processes from spawn to exit.
 */
export function takeTurns<T>(tasks: Record<string, () => T>, n: number): Record<string, T[]> {
  const out: Record<string, T[]> = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  const entries = Object.entries(tasks);
  for (let i = 0; i < n; i++) for (const [name, f] of [...entries.slice(i % entries.length), ...entries.slice(0, i % entries.length)]) out[name].push(f());
  return out;
}
