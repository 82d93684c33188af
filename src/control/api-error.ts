/**
 * The control API's refusals: an HTTP status, a message and, for a bad body, the field it is
 * about (docs/control.md: `{"error":"…","field":"up"}`).
 */
import type { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { error: string; field?: string } {
    return { error: this.message, ...(this.field === undefined ? {} : { field: this.field }) };
  }
}

export const notFound = (what: string) => new ApiError(404, `no ${what}`);
export const conflict = (why: string) => new ApiError(409, why);

/** A zod failure as a 400 naming the first bad field (an unknown field names itself). */
export function badBody(error: z.ZodError): ApiError {
  const issue = pickIssue(error.issues);
  if (!issue) return new ApiError(400, 'invalid body', '');
  let path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path = [...path, issue.keys[0]!];
  const field = path.join('.');
  const message = issue.code === 'unrecognized_keys' ? `unknown field "${field}"` : `${field || 'body'}: ${issue.message}`;
  return new ApiError(400, message, field);
}

/** The first issue; inside a union, the branch that got furthest (not a bare type mismatch at its root). */
function pickIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  const issue = issues[0];
  if (issue?.code !== 'invalid_union' || !('errors' in issue) || issue.errors.length === 0) return issue;
  const branch = issue.errors.find((b) => !(b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0)) ?? issue.errors[0]!;
  const inner = pickIssue(branch);
  return inner && { ...inner, path: [...issue.path, ...inner.path] };
}
