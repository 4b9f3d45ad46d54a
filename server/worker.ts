/**
 * The control loop as a process of its own, for PostgreSQL installations that serve the UI from one
 * process (CAPSTAN_ENGINE=off) and converge from another: `npm run worker`.
 */
import { getRuntime } from './runtime';

const runtime = await getRuntime();
if (!runtime.loop) {
  console.error('capstan worker: CAPSTAN_ENGINE=off leaves the worker nothing to do');
  process.exit(1);
}
console.log('capstan worker: control loop running');

async function shutdown() {
  await runtime.loop?.stop();
  await runtime.collector?.stop();
  await runtime.rollups?.stop();
  await runtime.probes.flush();
  await runtime.bus.close();
  await runtime.handle.close();
  process.exit(0);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
