/**
 * `GET /openapi.json`: OpenAPI 3.1 made from the route table (routes.ts) and its zod schemas
 * (`z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses), plus the two paths outside
 * the table: the live WebSocket and the dashboard.
 */
import { z } from 'zod';
import type { Route } from './route.ts';
import { ErrorView } from './schemas.ts';

type Json = Record<string, unknown>;

/** A schema as JSON Schema: what a body may be (`input`) or what an answer is (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: jsonSchema(ErrorView, 'output') } } });

function operation(r: Route): Json {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: m[1] === 'i' ? { type: 'integer', minimum: 0 } : { type: 'string' },
  }));
  const query = Object.entries(r.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } }));
  const success: Json = { description: r.status === 204 ? 'done' : 'ok' };
  if (r.response) success.content = { 'application/json': { schema: jsonSchema(r.response, 'output') } };
  else if (r.produces) success.content = { [r.produces]: { schema: { type: 'string' } } };
  const responses: Json = { [String(r.status)]: success };
  if (r.body) responses['400'] = errorResponse('bad JSON, or a bad or unknown field (named in `field`)');
  if (params.length > 0 || r.query) responses['404'] = errorResponse('no such module, access point, peer, host or fault');
  if (r.status === 204 && r.method === 'POST') responses['409'] = errorResponse('not possible in the present state');
  return {
    summary: r.summary,
    ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  paths['/api/live'] = {
    get: {
      summary: 'WebSocket: one JSON trace record per message as they happen (`?module=<i>` filters; `?token=` when a token is set)',
      parameters: [{ name: 'module', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { '101': { description: 'switching to the WebSocket protocol' } },
    },
  };
  paths['/'] = { get: { summary: 'the dashboard', responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'fc41d-emulator control API', version, description: 'Drives the emulated modules and their world (docs/control.md).' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { bearer: [] }],
    paths,
  };
}
