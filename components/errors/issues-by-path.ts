type Issue = { path: readonly PropertyKey[]; message: string };

/**
 * First message per input path ("spec.env.0.name"), for showing next to the field that caused it.
 * Takes a ZodError from the form's own check or the issues the server sends back.
 */
export function issuesByPath(error: { issues: readonly Issue[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    out[key] ??= issue.message;
  }
  return out;
}
