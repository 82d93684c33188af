/**
 * The control server (docs/control.md): HTTP + JSON under /api/ (the route table, routes.ts),
 * the WebSocket /api/live (live.ts), /openapi.json (openapi.ts) and the dashboard's files
 * (src/control/dashboard/assets.ts), on one node:http server. Every request passes
 * security.ts first; a handler's failure is a 500 with its message (and a trace record), never
 * a crash.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_ASSETS } from './dashboard/assets.ts';
import { ApiError, badBody } from './api-error.ts';
import type { ControlContext } from './context.ts';
import { LiveFeed, refuseUpgrade } from './live.ts';
import { openApiDocument } from './openapi.ts';
import { matchPath, type Reply, type Route } from './route.ts';
import { ROUTES } from './routes.ts';
import { isLoopbackHost, refuse, type SecurityOptions, TOKEN_COOKIE, tokenInUrl } from './security.ts';

/** Bodies are small JSON objects; anything larger is refused (413) before it is read whole. */
const MAX_BODY = 1024 * 1024;

export interface ControlServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  token?: string;
  /** Shown in the OpenAPI document. */
  version?: string;
}

export interface ControlServer {
  /** `http://HOST:PORT/` as bound. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startControlServer(ctx: ControlContext, opts: ControlServerOptions): Promise<ControlServer> {
  const security: SecurityOptions = { loopback: isLoopbackHost(opts.host), token: opts.token };
  const live = new LiveFeed(ctx);
  let openapi: string | null = null; // made on first request
  const openApi = () => (openapi ??= JSON.stringify(openApiDocument(ROUTES, opts.version ?? '0.1.0'), null, 2));

  const server = createServer((req, res) => {
    res.on('error', () => {});
    void handle(ctx, req, res, security, openApi).catch((e: unknown) => internalError(ctx, req, res, e));
  });
  server.on('clientError', (_e, socket) => socket.destroy()); // malformed HTTP: nothing to answer
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    try {
      const url = new URL(req.url ?? '/', 'http://control');
      if (url.pathname !== '/api/live') return refuseUpgrade(socket, 404, JSON.stringify({ error: `no WebSocket at ${url.pathname}` }));
      const refusal = refuse(req, url, security, 'upgrade');
      if (refusal) return refuseUpgrade(socket, refusal.status, JSON.stringify({ error: refusal.error }));
      live.upgrade(req, socket, head, url);
    } catch (e) {
      ctx.trace.write({ dir: 'info', fault: describe(e), api: 'WebSocket /api/live' });
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // after listening, nothing from the server may end the process
  const { address, port } = server.address() as AddressInfo;
  const shown = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${shown}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        live.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(ctx: ControlContext, req: IncomingMessage, res: ServerResponse, security: SecurityOptions, openApi: () => string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const method = req.method ?? 'GET';
  const asset = DASHBOARD_ASSETS[url.pathname];
  const refusal = refuse(req, url, security, asset ? 'page' : 'api');
  if (refusal) return sendJson(res, refusal.status, { error: refusal.error });

  if (asset && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, {
      'content-type': asset.type,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': `default-src 'self'; connect-src 'self' ws://${req.headers.host ?? ''}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      // Opened with a valid ?token=: the page's own files (fetched without headers) carry it as a cookie.
      ...(tokenInUrl(url, security) ? { 'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(security.token!)}; HttpOnly; SameSite=Strict; Path=/` } : {}),
    });
    res.end(method === 'HEAD' ? undefined : asset.body);
    return;
  }
  if (url.pathname === '/openapi.json' && method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(openApi());
    return;
  }

  const matched = ROUTES.map((r) => ({ r, params: matchPath(r.path, url.pathname) })).filter((m) => m.params !== null);
  if (matched.length === 0) return sendJson(res, 404, { error: `no endpoint ${url.pathname}` });
  const hit = matched.find((m) => m.r.method === method);
  if (!hit) {
    res.setHeader('allow', [...new Set(matched.map((m) => m.r.method))].join(', '));
    return sendJson(res, 405, { error: `${method} is not allowed on ${url.pathname}` });
  }
  try {
    const body = hit.r.body ? await readBody(req, hit.r) : undefined;
    const reply = await hit.r.handle(ctx, { params: hit.params!, query: url.searchParams, body });
    send(res, reply);
  } catch (e) {
    if (e instanceof ApiError) return sendJson(res, e.status, e.toJSON());
    throw e;
  }
}

/** The body as JSON, validated by the route's schema. */
async function readBody(req: IncomingMessage, r: Route): Promise<unknown> {
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the bound the rest is read and dropped (not a destroyed socket): the client,
      // perhaps still sending, then reads the 413.
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY ? reject(new ApiError(413, `the body is larger than ${MAX_BODY} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => reject(new ApiError(400, 'the request was cut off')));
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'bad JSON');
  }
  const parsed = r.body!.safeParse(json);
  if (!parsed.success) throw badBody(parsed.error);
  return r.bodyAsSent ? json : parsed.data;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'text/plain; charset=utf-8' });
    res.end(reply.text);
  } else if (reply.json !== undefined) sendJson(res, reply.status, reply.json);
  else {
    res.writeHead(reply.status);
    res.end();
  }
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(json));
}

/** A handler's bug: a 500 with its message, and the stack in the trace. */
function internalError(ctx: ControlContext, req: IncomingMessage, res: ServerResponse, e: unknown): void {
  try {
    ctx.trace.write({ dir: 'info', fault: describe(e), api: `${req.method} ${req.url}` });
    sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
  } catch {
    res.destroy();
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
