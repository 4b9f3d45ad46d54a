import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { appRouter } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { getRuntime } from '@/server/runtime';
import { logsAsText } from '@/server/services/service/logs';

export const dynamic = 'force-dynamic';

/** Download of a service's logs as text, through the same role-checked procedure as the page. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const url = new URL(req.url);
  try {
    const caller = appRouter.createCaller(await createContext(await getRuntime(), req.headers, null));
    const { lines } = await caller.services.logs({
      serviceId: id,
      containerId: url.searchParams.get('containerId') ?? undefined,
      lines: Number(url.searchParams.get('lines') ?? 5000),
      search: url.searchParams.get('search') ?? '',
    });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new Response(logsAsText(lines), {
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="capstan-${id.slice(0, 8)}-${stamp}.log"`,
      },
    });
  } catch (err) {
    const status = err instanceof TRPCError ? getHTTPStatusCodeFromError(err) : 500;
    const message = err instanceof TRPCError ? err.message : 'Something went wrong on the server.';
    return Response.json({ error: message }, { status });
  }
}
