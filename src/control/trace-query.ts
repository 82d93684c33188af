/** `?module=<i>&since=…&until=…` of GET /api/trace and /api/live, checked: a bad one is a 400 naming it. */
import type { TraceQuery } from '../trace-hub.ts';
import { ApiError } from './api-error.ts';
import { type ControlContext, moduleAt } from './context.ts';

export function parseTraceQuery(ctx: ControlContext, query: URLSearchParams): TraceQuery {
  const out: TraceQuery = {};
  const module = query.get('module');
  if (module !== null) {
    try {
      out.module = moduleAt(ctx, module).module.label;
    } catch {
      throw new ApiError(400, `module: no module ${module}`, 'module');
    }
  }
  for (const name of ['since', 'until'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    out[name] = parseTime(value, name);
  }
  return out;
}

/** ISO 8601, or milliseconds since the epoch. */
function parseTime(value: string, name: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError(400, `${name}: expected an ISO 8601 time or milliseconds since the epoch, got ${JSON.stringify(value)}`, name);
  return ms;
}
