/** `GET /api/trace`: the stored trace records (the last 50,000) as NDJSON, filtered. */
import { route } from './route.ts';
import { parseTraceQuery } from './trace-query.ts';

export const traceRoutes = [
  route({
    method: 'GET',
    path: '/api/trace',
    summary: 'the trace so far, one JSON record per line (docs/control.md "Trace records")',
    status: 200,
    produces: 'application/x-ndjson',
    query: {
      module: "only this module's records (its index)",
      since: 'records at or after this time (ISO 8601 or ms since the epoch)',
      until: 'records at or before this time',
    },
    handle: (ctx, { query }) => {
      const records = ctx.trace.records(parseTraceQuery(ctx, query));
      return { status: 200, type: 'application/x-ndjson', text: records.map((r) => JSON.stringify(r) + '\n').join('') };
    },
  }),
];
