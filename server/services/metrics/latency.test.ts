import { describe, expect, it } from 'vitest';
import { addHistograms, bucketOf, histogramOf, LATENCY_BUCKETS, LATENCY_UPPER_MS, quantile } from './latency';

describe('latency histograms', () => {
  it('puts each latency in the bucket whose bounds hold it, the slowest in the open-ended one', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(1);
    expect(bucketOf(9)).toBe(LATENCY_UPPER_MS.indexOf(10));
    expect(bucketOf(10)).toBe(LATENCY_UPPER_MS.indexOf(12));
    expect(bucketOf(59_999)).toBe(LATENCY_UPPER_MS.length - 1);
    expect(bucketOf(600_000)).toBe(LATENCY_BUCKETS - 1);
  });

  it('counts every request once and leaves trailing empty buckets off', () => {
    const hist = histogramOf([
      [0, 5],
      [1, 2],
      [4, 3],
    ]);
    expect(hist).toEqual([5, 2, 0, 0, 3]);
    expect(hist.reduce((a, b) => a + b, 0)).toBe(10);
    expect(histogramOf([])).toEqual([]);
  });

  it('adds histograms of different lengths element-wise, null meaning nothing recorded', () => {
    expect(addHistograms([1, 2], [0, 0, 3])).toEqual([1, 2, 3]);
    expect(addHistograms(null, [4])).toEqual([4]);
    expect(addHistograms([4], null)).toEqual([4]);
    expect(addHistograms(null, null)).toBeNull();
  });

  it('interpolates percentiles inside the bucket that holds the rank', () => {
    // 100 requests of 50–59 ms (bucket [50, 60)): the median is halfway through it.
    const hist = histogramOf([[55, 100]]);
    expect(quantile(hist, 0.5)).toBeCloseTo(55, 5);
    expect(quantile(hist, 0.95)).toBeCloseTo(59.5, 5);
    // 90 fast (0 ms) and 10 slow (200–249 ms): p50 is fast, p95 is slow.
    const mixed = histogramOf([
      [0, 90],
      [210, 10],
    ]);
    expect(quantile(mixed, 0.5)).toBeLessThan(1);
    const p95 = quantile(mixed, 0.95)!;
    expect(p95).toBeGreaterThanOrEqual(200);
    expect(p95).toBeLessThan(250);
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile(null, 0.5)).toBeNull();
  });

  it('stays within one bucket of the true percentile of a spread of latencies', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.floor(2 + (i * i) / 2000)); // 2..501 ms, skewed
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const hist = histogramOf(counts);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const est = quantile(hist, q)!;
      const i = bucketOf(exact);
      const lower = i === 0 ? 0 : LATENCY_UPPER_MS[i - 1]!;
      const upper = LATENCY_UPPER_MS[i]!;
      expect(est, `p${q * 100}`).toBeGreaterThanOrEqual(lower - (upper - lower));
      expect(est, `p${q * 100}`).toBeLessThanOrEqual(upper + (upper - lower));
    }
  });
});
