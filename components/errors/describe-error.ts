import { TRPCClientError } from '@trpc/client';
import { issuesByPath } from './issues-by-path';

type ErrorData = {
  code?: string;
  httpStatus?: number;
  zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
  zodIssues?: { path: string[]; message: string }[] | null;
};

export type DescribedError = {
  message: string;
  code: string | null;
  /** Top-level input keys the server rejected, with its messages. */
  fieldErrors: Record<string, string[] | undefined>;
  /** The first message per full input path ("spec.strategy.maxSurge"), for showing beside a nested field. */
  issues: Record<string, string>;
};

const UNREACHABLE = 'Could not reach the Capstan server. Check that it is running and try again.';

/** What a person reads when a call fails: the server's message (already safe), never a stack trace. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof TRPCClientError) {
    const data = err.data as ErrorData | undefined;
    if (!data?.code) return { message: UNREACHABLE, code: null, fieldErrors: {}, issues: {} };
    const message = data.code === 'UNAUTHORIZED' ? 'Your session has ended. Sign in again.' : err.message;
    return {
      message,
      code: data.code,
      fieldErrors: data.zodError?.fieldErrors ?? {},
      issues: issuesByPath({ issues: data.zodIssues ?? [] }),
    };
  }
  if (err instanceof TypeError) return { message: UNREACHABLE, code: null, fieldErrors: {}, issues: {} };
  return { message: 'Something went wrong. Try again.', code: null, fieldErrors: {}, issues: {} };
}

export function errorMessage(err: unknown): string | null {
  return err ? describeError(err).message : null;
}
