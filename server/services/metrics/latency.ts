/**
 * Request latencies are stored as histograms with fixed bucket bounds, so samples, 1-minute and 1-hour
 * rollups all add up exactly (a percentile of percentiles would not). Bucket i counts latencies in
 * [LOWER[i], UPPER[i]) milliseconds; the last one is open-ended. A percentile is interpolated inside
 * its bucket: at most one bucket's width off (≤ 25 % above 10 ms).
 */
export const LATENCY_UPPER_MS = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600,
  800, 1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10_000, 15_000, 20_000, 30_000, 60_000,
] as const;

/** Buckets: one per upper bound, and one for everything from the last bound on. */
export const LATENCY_BUCKETS = LATENCY_UPPER_MS.length + 1;

const lowerOf = (i: number) => (i === 0 ? 0 : LATENCY_UPPER_MS[i - 1]!);

export function bucketOf(ms: number): number {
  // Few buckets: a linear scan is as fast as a binary search here.
  for (let i = 0; i < LATENCY_UPPER_MS.length; i++) if (ms < LATENCY_UPPER_MS[i]!) return i;
  return LATENCY_UPPER_MS.length;
}

/** Trailing empty buckets are left off; an empty histogram is []. */
function trim(hist: number[]): number[] {
  let end = hist.length;
  while (end > 0 && !hist[end - 1]) end--;
  return hist.slice(0, end);
}

/** A histogram of `count` requests per latency in ms. */
export function histogramOf(counts: Iterable<[ms: number, count: number]>): number[] {
  const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const [ms, n] of counts) hist[bucketOf(ms)]! += n;
  return trim(hist);
}

/** Element-wise sum; either may be shorter (trimmed) or null (nothing recorded). */
export function addHistograms(a: readonly number[] | null, b: readonly number[] | null): number[] | null {
  if (!a) return b ? [...b] : null;
  if (!b) return [...a];
  const out = new Array<number>(Math.max(a.length, b.length)).fill(0);
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

/** The q-quantile (0 < q ≤ 1) in ms, or null when the histogram counts nothing. */
export function quantile(hist: readonly number[] | null, q: number): number | null {
  if (!hist) return null;
  const total = hist.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i] ?? 0;
    if (n > 0 && below + n >= rank) {
      if (i >= LATENCY_UPPER_MS.length) return lowerOf(i);
      const lower = lowerOf(i);
      return lower + ((LATENCY_UPPER_MS[i]! - lower) * (rank - below)) / n;
    }
    below += n;
  }
  return lowerOf(hist.length - 1);
}
