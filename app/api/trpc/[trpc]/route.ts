import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { trustedProxies } from '@/server/env';
import { refuseUnsafeMutation } from '@/server/http/mutation-guard';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const handler = (req: Request) =>
  refuseUnsafeMutation(req, trustedProxies()) ??
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: async ({ resHeaders }) => createContext(await getRuntime(), req.headers, resHeaders),
  });

export { handler as GET, handler as POST };
