/** A steady-rate HTTP load on 127.0.0.1: `rate` requests a second spread over `workers` paced loops. */
export function steadyLoad(url: string, rate = 200, workers = 8) {
  const tally = { requests: 0, failed: 0, errors: new Map<string, number>() };
  let running = true;
  const gap = (1000 * workers) / rate;
  const loops = Array.from({ length: workers }, async (_, i) => {
    let next = performance.now() + (gap * i) / workers;
    while (running) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += gap;
      tally.requests++;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      } catch (err) {
        tally.failed++;
        const key =
          err instanceof Error
            ? ((err.cause as { code?: string } | undefined)?.code ?? err.message)
            : String(err);
        tally.errors.set(key, (tally.errors.get(key) ?? 0) + 1);
      }
    }
  });
  return {
    snapshot: () => ({ requests: tally.requests, failed: tally.failed }),
    async stop() {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}

/** Requests and failures between two snapshots of one load. */
export function between(a: { requests: number; failed: number }, b: { requests: number; failed: number }) {
  return { requests: b.requests - a.requests, failed: b.failed - a.failed };
}
