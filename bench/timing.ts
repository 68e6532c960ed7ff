/** Mean milliseconds of `f` over `n` calls, after one warm-up call. */
export async function meanMs(f: () => Promise<unknown>, n: number): Promise<number> {
  await f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  return (performance.now() - t0) / n;
}
