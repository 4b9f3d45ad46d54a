import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { assertWithinLimits, limitBody } from '@/server/api/request-limits';
import { createContext } from '@/server/api/trpc';
import { trustedProxies } from '@/server/env';
import { refuseUnsafeMutation } from '@/server/http/mutation-guard';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const handler = (request: Request) => {
  const refused = refuseUnsafeMutation(request, trustedProxies());
  if (refused) return refused;
  const req = limitBody(request);
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: async ({ resHeaders, info }) => {
      assertWithinLimits(req, info);
      return createContext(await getRuntime(), req.headers, resHeaders);
    },
  });
};

export { handler as GET, handler as POST };
