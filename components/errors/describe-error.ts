import { TRPCClientError } from '@trpc/client';

type ErrorData = {
  code?: string;
  httpStatus?: number;
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
};

export type DescribedError = {
  message: string;
  code: string | null;
  /** Top-level input keys the server rejected, with its messages. */
  fieldErrors: Record<string, string[] | undefined>;
};

const UNREACHABLE = 'Could not reach the Capstan server. Check that it is running and try again.';

/** What a person reads when a call fails: the server's message (already safe), never a stack trace. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof TRPCClientError) {
    const data = err.data as ErrorData | undefined;
    if (!data?.code) return { message: UNREACHABLE, code: null, fieldErrors: {} };
    const message = data.code === 'UNAUTHORIZED' ? 'Your session has ended. Sign in again.' : err.message;
    return { message, code: data.code, fieldErrors: data.zodError?.fieldErrors ?? {} };
  }
  if (err instanceof TypeError) return { message: UNREACHABLE, code: null, fieldErrors: {} };
  return { message: 'Something went wrong. Try again.', code: null, fieldErrors: {} };
}

export function errorMessage(err: unknown): string | null {
  return err ? describeError(err).message : null;
}
