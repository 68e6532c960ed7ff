import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Median milliseconds of `f` over `n` timed calls, after one warm-up call. */
export async function medianMs(f: () => Promise<unknown>, n: number): Promise<number> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

/** The CPU the figures were measured on: model, cores and its widest vector instructions. */
export function cpuDescription(): string {
  const cpus = os.cpus();
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux: no flags to report
  }
  const simd = / avx512f/.test(flags) ? 'AVX-512' : / avx2/.test(flags) ? 'AVX2' : flags ? 'no AVX2' : 'unknown SIMD';
  return `${cpus[0]?.model?.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${simd}`;
}
