export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // `next build` loads this too: building must not open the database or start the control loop.
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  // Every request carries its TCP peer's address from here on: X-Forwarded-For is believed only from it.
  const { stampPeerAddresses } = await import('./server/http/client-address');
  await stampPeerAddresses();
  // Migrations run and the control loop starts before the first request is served.
  const { getRuntime } = await import('./server/runtime');
  await getRuntime();
}
