export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // `next build` loads this too: building must not open the database or start the control loop.
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  // Migrations run and the control loop starts before the first request is served.
  const { getRuntime } = await import('./server/runtime');
  await getRuntime();
}
