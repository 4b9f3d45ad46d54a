import { TRPCError } from '@trpc/server';
import type { TRPCRequestInfo } from '@trpc/server/http';
import { env } from '@/server/env';

export type RequestLimits = { maxBodyBytes: number; maxBatchCalls: number };

export const requestLimits = (): RequestLimits => ({
  maxBodyBytes: env().CAPSTAN_MAX_BODY_BYTES,
  maxBatchCalls: env().CAPSTAN_MAX_BATCH_CALLS,
});

const size = (bytes: number) =>
  bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`;

const tooLarge = (limit: number, declared?: number) =>
  new TRPCError({
    code: 'PAYLOAD_TOO_LARGE',
    message: `A request can carry at most ${size(limit)}${declared ? `; this one has ${(declared / (1024 * 1024)).toFixed(1)} MiB` : ''}. Send less at once.`,
  });

/**
 * The request with its body counted as tRPC reads it: reading fails (413) once the body passes the limit,
 * before anything of it is parsed. For bodies of undeclared length; a declared one is checked by
 * `assertWithinLimits` before any reading.
 */
export function limitBody(req: Request, limits = requestLimits()): Request {
  if (!req.body) return req;
  let read = 0;
  const counted = req.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        read += chunk.byteLength;
        if (read > limits.maxBodyBytes) out.error(tooLarge(limits.maxBodyBytes));
        else out.enqueue(chunk);
      },
    }),
  );
  return new Request(req, { body: counted, duplex: 'half' } as RequestInit);
}

/**
 * Refuses (413) a request over the limits before any of its calls runs: a body declared larger than the
 * limit (left unread), or a batch of more calls than allowed.
 */
export function assertWithinLimits(req: Request, info: TRPCRequestInfo, limits = requestLimits()): void {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes, declared);
  if (info.calls.length > limits.maxBatchCalls)
    throw new TRPCError({
      code: 'PAYLOAD_TOO_LARGE',
      message: `A request can batch at most ${limits.maxBatchCalls} calls; this one has ${info.calls.length}.`,
    });
}
