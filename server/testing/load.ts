/** Bounded load on 127.0.0.1: `workers` loops of sequential GETs until stopped; counts every failure. */
export function steadyLoad(port: number, workers = 4) {
  const tally = { ok: 0, failed: 0, versions: new Map<string, number>(), errors: [] as string[] };
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body.slice(0, 80)}`);
        tally.ok++;
        const version = (JSON.parse(body) as { version: string }).version;
        tally.versions.set(version, (tally.versions.get(version) ?? 0) + 1);
      } catch (err) {
        tally.failed++;
        if (tally.errors.length < 5) tally.errors.push(String(err));
      }
    }
  });
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}
