/** Timing for the pure benches (no ledger): one sample, and the median and max of many. */
export function time(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

export function stats(samples: number[]): { medianMs: number; maxMs: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { medianMs: Number((s[Math.floor(s.length / 2)] as number).toFixed(1)), maxMs: Number((s[s.length - 1] as number).toFixed(1)) };
}
