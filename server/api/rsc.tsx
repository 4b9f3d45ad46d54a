import 'server-only';
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { createTRPCOptionsProxy, type TRPCQueryOptions } from '@trpc/tanstack-react-query';
import { TRPCError } from '@trpc/server';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { makeQueryClient } from '@/components/trpc/query-client';
import { getRuntime } from '@/server/runtime';
import { appRouter } from './root';
import { createContext } from './trpc';

/** Server components prefetch through the same procedures (and role checks) as the browser. */
const rscContext = cache(async () => {
  // headers() first: while `next build` tries to prerender a page it makes the page dynamic, before
  // anything would open the database or start the control loop.
  const requestHeaders = await headers();
  return createContext(await getRuntime(), requestHeaders, null);
});

export const getQueryClient = cache(makeQueryClient);

export const trpc = createTRPCOptionsProxy({
  ctx: rscContext,
  router: appRouter,
  queryClient: getQueryClient,
});

export const serverCaller = cache(async () => appRouter.createCaller(await rscContext()));

/** Who is signed in (and whether Capstan still needs its first admin), asked once per request. */
export const authStatus = cache(async () => (await serverCaller()).auth.status());

/**
 * A page's client part with what the page prefetched. Without a session it renders nothing: the console
 * layout, rendered beside the page, sends the visitor to sign in, and the client part would only try to
 * fetch again, from the server, what the prefetch was refused.
 */
export async function HydrateClient({ children }: { children: React.ReactNode }) {
  if (!(await authStatus()).user) return null;
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function prefetch<T extends ReturnType<TRPCQueryOptions<any>>>(queryOptions: T) {
  await getQueryClient().prefetchQuery(queryOptions);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads what a page is about, or renders the not-found page when the id is malformed or names nothing. */
export async function loadOrNotFound<T>(id: string, load: () => Promise<T>): Promise<T> {
  if (!UUID.test(id)) notFound();
  try {
    return await load();
  } catch (err) {
    if (err instanceof TRPCError && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')) notFound();
    throw err;
  }
}
