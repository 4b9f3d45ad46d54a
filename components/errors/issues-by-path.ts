import type { ZodError } from 'zod';

/** First message per input path ("spec.env.0.name"), for showing next to the field that caused it. */
export function issuesByPath(error: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    out[key] ??= issue.message;
  }
  return out;
}
