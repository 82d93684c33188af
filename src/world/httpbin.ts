/**
 * The default world's HTTP(S) test service (issue 11 item 6): httpbin-style endpoints
 * (httpbin-routes.ts) that `fc41d serve` and `fc41d console` start next to the broker, so every
 * example of §4.6 runs with nothing else started. Plain HTTP and HTTPS (the test CA's
 * certificate for httpbin.fc41d.local, test-ca.ts) on free ports of 127.0.0.1; the world's hosts
 * map sends the modules' `httpbin.fc41d.local:80` and `:443` there. A world whose hosts map names
 * httpbin.fc41d.local itself keeps its entry, and none starts. docs/httpbin.md.
 *
 * Not for src/device/: a module reaches it through dial() like any other server.
 */
import { listenLocal, startMapped } from './mapped-service.ts';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { type Clock, realClock } from '../clock.ts';
import { route, type RouteContext } from './httpbin-routes.ts';
import { httpbinCredentials } from './test-ca.ts';
import type { World } from './world.ts';

/** The name modules use, and the ports they ask for. */
export const HTTPBIN_HOST = 'httpbin.fc41d.local';
export const HTTPBIN_HTTP_PORT = 80;
export const HTTPBIN_HTTPS_PORT = 443;

export interface Httpbin {
  /** Where it really listens: 127.0.0.1 and the two ports the hosts map points at. */
  readonly address: '127.0.0.1';
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Ends every connection (and pending /delay answer) and stops listening. */
  close(): Promise<void>;
}

export interface HttpbinOptions {
  /** What /delay waits on (tests drive a FakeClock). */
  clock?: Clock;
  /** Told of each request as it arrives (the scenario runner's expect-backend); `path` includes the query. */
  onRequest?: (req: { method: string; path: string }) => void;
}

/** Starts the service with a plain and a TLS listener on free ports of 127.0.0.1. */
export async function startHttpbin(opts: HttpbinOptions = {}): Promise<Httpbin> {
  const delays = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const handler = (scheme: RouteContext['scheme']) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      opts.onRequest?.({ method: req.method ?? '', path: req.url ?? '' });
    } catch {
      // an observer's trouble is not the request's
    }
    route(req, res, { scheme, clock: opts.clock ?? realClock, delays }).catch((e: Error) => {
      // A bug here is the service's, not the process's: the client gets a 500 or a reset.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${e.message}\n`);
      else res.destroy();
    });
  };
  const plain = http.createServer(handler('http'));
  const secure = https.createServer({ ...httpbinCredentials() }, handler('https'));
  // A failed handshake (a module that does not trust the CA) is the client's failure.
  secure.on('tlsClientError', () => {});
  const servers = [plain, secure];
  for (const server of servers) {
    server.on('connection', (socket: net.Socket) => {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  try {
    const [httpPort, httpsPort] = await Promise.all(servers.map(listenLocal));
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        const stopped = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        for (const cancel of [...delays]) cancel();
        for (const socket of sockets) socket.destroy();
        await Promise.all(stopped);
      })());
    return { address: '127.0.0.1', httpPort, httpsPort, close };
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
}

/**
 * The service of `world`: unless its hosts map already names httpbin.fc41d.local (a world file
 * pointing the name at a server of its own), starts one and maps the name's 80 and 443 to it.
 * Null when the world keeps its own entry.
 */
export function startWorldHttpbin(world: World, opts: HttpbinOptions = {}): Promise<Httpbin | null> {
  return startMapped(world, HTTPBIN_HOST, () => startHttpbin(opts), (h) => ({ [HTTPBIN_HTTP_PORT]: h.httpPort, [HTTPBIN_HTTPS_PORT]: h.httpsPort }));
}

/** The lines serve and console print about it (stable: tests parse them). */
export function describeHttpbin(service: Httpbin | null, disabled: boolean): string[] {
  if (disabled) return ['httpbin off (--no-httpbin)'];
  if (!service) return [`httpbin ${HTTPBIN_HOST} is the world file's (no built-in httpbin)`];
  return [
    `httpbin ${HTTPBIN_HOST}:${HTTPBIN_HTTP_PORT} http on ${service.address}:${service.httpPort}`,
    `httpbin ${HTTPBIN_HOST}:${HTTPBIN_HTTPS_PORT} https on ${service.address}:${service.httpsPort} (test CA: fc41d ca)`,
  ];
}
