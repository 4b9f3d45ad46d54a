export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // Migrations run and the control loop starts before the first request is served.
  const { getRuntime } = await import('./server/runtime');
  await getRuntime();
}
