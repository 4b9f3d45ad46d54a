/** What answered when: the first and last 200 from each replica, by the hostname in the sample's reply. */
export type Answers = Map<string, { first: number; last: number }>;

/**
 * A steady-rate HTTP load on 127.0.0.1: `rate` requests a second spread over `workers` paced loops. It also
 * notes which replica answered each request (the sample names its hostname, a container's short id), with
 * `Date.now()` times, so a bench can tell when a replica began or stopped serving as its clients saw it.
 */
export function steadyLoad(url: string, rate = 200, workers = 8) {
  const tally = { requests: 0, failed: 0, errors: new Map<string, number>() };
  const answers: Answers = new Map();
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
        const body = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        const host = /"hostname":"([^"]+)"/.exec(body)?.[1];
        if (host) {
          const now = Date.now();
          const seen = answers.get(host);
          if (seen) seen.last = now;
          else answers.set(host, { first: now, last: now });
        }
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
    /** When the container with this id (full or short) first and last answered, if it has. */
    answered: (containerId: string) => answers.get(containerId.slice(0, 12)),
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
