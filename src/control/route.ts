/**
 * A control API endpoint as data: method, path template (`/api/modules/{i}/reset`), the zod
 * schemas of its body and answer, and its handler. server.ts dispatches the table and
 * openapi.ts describes it, so the document cannot drift from what is served.
 */
import type { z } from 'zod';
import type { ControlContext } from './context.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Reply {
  status: number;
  /** A JSON answer. */
  json?: unknown;
  /** A text answer of `type` (e.g. NDJSON). */
  text?: string;
  type?: string;
}

export interface RouteRequest<B> {
  params: Record<string, string>;
  query: URLSearchParams;
  body: B;
}

export interface Route<B = unknown> {
  method: Method;
  path: string;
  summary: string;
  /** The body, validated before the handler runs (400 naming the field otherwise). */
  body?: z.ZodType<B>;
  /** Hand the handler the body as sent (once valid), not the schema's output: for a world method that parses it itself. */
  bodyAsSent?: boolean;
  /** The success status and answer, for the OpenAPI document. */
  status: number;
  response?: z.ZodType;
  /** Query parameters: name → description. */
  query?: Record<string, string>;
  /** Content type of a non-JSON answer. */
  produces?: string;
  handle(ctx: ControlContext, req: RouteRequest<B>): Reply | Promise<Reply>;
}

/** Keeps the body's type inside one route while the table holds routes of any body. */
export const route = <B>(r: Route<B>): Route<unknown> => r as Route<unknown>;

export const noContent: Reply = { status: 204 };

/** Matches a path against a template: the `{name}` parts' values (decoded), or null. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith('{') && w.endsWith('}')) {
      if (got[i] === '') return null;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(got[i]!);
      } catch {
        return null; // a malformed %-escape names nothing
      }
    } else if (w !== got[i]) return null;
  }
  return params;
}
