/**
 * Real local servers for the HTTP client's tests, each closed after its test: an HTTP server and
 * an HTTPS one (the test CA of test/ssl/certs.ts; optionally requiring a client certificate) that
 * record every request as node parsed it, a raw TCP server that records the exact bytes it got
 * and answers with what a test scripts, and the client's network: a world with a hosts map, a
 * station switch, SSL contexts and a certificate store.
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type tls from 'node:tls';
import type { Clock } from '../../src/clock.ts';
import { realClock } from '../../src/clock.ts';
import { Flash } from '../../src/device/flash.ts';
import type { HttpClientNetwork } from '../../src/http/client.ts';
import { CertStore } from '../../src/ssl/cert-store.ts';
import { SslContexts } from '../../src/ssl/contexts.ts';
import { contextTls } from '../../src/ssl/tls-options.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { defer } from '../net/helpers.ts';
import { type KeyPair, pki } from '../ssl/certs.ts';

export interface Recorded {
  method: string;
  url: string;
  /** Names as they came on the wire, in order, with their values. */
  rawHeaders: [string, string][];
  body: Buffer;
  /** HTTPS: the SNI the client sent (false: none) and the client certificate's CN, if any. */
  servername?: string | false;
  clientCn?: string;
}

export type Handler = (req: IncomingMessage & { body: Buffer }, res: ServerResponse) => void;

export interface RecordingServer {
  port: number;
  requests: Recorded[];
  /** TCP connections accepted (TLS handshakes that failed included). */
  connections: number;
}

/** Records each request (its whole body read) and then answers with `handler`. */
function recorder(requests: Recorded[], handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rawHeaders: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const socket = req.socket as tls.TLSSocket;
      const secure = typeof socket.getPeerCertificate === 'function';
      const cn = secure ? socket.getPeerCertificate()?.subject?.CN : undefined;
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        rawHeaders,
        body,
        ...(secure ? { servername: socket.servername ?? false } : {}),
        ...(typeof cn === 'string' ? { clientCn: cn } : {}),
      });
      handler(Object.assign(req, { body }), res);
    });
  };
}

async function serve(server: http.Server, requests: Recorded[]): Promise<RecordingServer> {
  const recording = { port: 0, requests, connections: 0 };
  server.on('connection', (s: net.Socket) => {
    recording.connections++;
    s.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  recording.port = (server.address() as AddressInfo).port;
  return recording;
}

/** A plain HTTP server on 127.0.0.1. */
export function httpServer(handler: Handler): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  return serve(http.createServer(recorder(requests, handler)), requests);
}

/**
 * An HTTPS server on 127.0.0.1 with `pair` (default: the test CA's server certificate for
 * localhost, secure.test and 127.0.0.1); `requireClientCert` refuses clients without a
 * certificate the test CA signed.
 */
export function httpsServer(handler: Handler, opts: { pair?: KeyPair; requireClientCert?: boolean } = {}): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const { cert, key } = opts.pair ?? pki().server;
  const clientAuth = opts.requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: pki().ca.cert } : {};
  return serve(https.createServer({ cert, key, ...clientAuth }, recorder(requests, handler)), requests);
}

export interface RawServer {
  port: number;
  /** The bytes of each connection so far, exactly as they came. */
  received: Buffer[];
  /** Whether each connection has closed. */
  closed: boolean[];
}

/**
 * A TCP server that records the bytes it gets and, once `reply(bytesSoFar)` returns something,
 * writes it and ends the connection (null: keep waiting; never answering is a test too).
 */
export async function rawServer(reply: (received: Buffer) => Buffer | string | null): Promise<RawServer> {
  const received: Buffer[] = [];
  const closed: boolean[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const index = received.push(Buffer.alloc(0)) - 1;
    closed.push(false);
    socket.on('close', () => {
      sockets.delete(socket);
      closed[index] = true;
    });
    socket.on('error', () => {});
    let answered = false;
    socket.on('data', (data: Buffer) => {
      received[index] = Buffer.concat([received[index], data]);
      if (answered) return;
      const answer = reply(received[index]);
      if (answer === null) return;
      answered = true;
      socket.end(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, received, closed };
}

/** The end of a request's head and (by its Content-Length) body in `bytes`, or null if it is not all there. */
export function wholeRequest(bytes: Buffer): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(bytes.subarray(0, end).toString('latin1'));
  return bytes.length >= end + 4 + (length ? Number(length[1]) : 0);
}

export interface ClientNetwork {
  network: HttpClientNetwork;
  /** The station's address: hasIp() answers this. */
  station: { up: boolean };
  contexts: SslContexts;
  certs: CertStore;
}

/** The client's network: a world with `hosts`, a station that is up, fresh SSL contexts and an empty certificate store. */
export function clientNetwork(hosts: Record<string, unknown> = {}, clock: Clock = realClock): ClientNetwork {
  const station = { up: true };
  const contexts = new SslContexts();
  const certs = new CertStore(Flash.open());
  const network: HttpClientNetwork = {
    world: new World(parseWorld({ hosts })),
    hasIp: () => station.up,
    clock,
    sslContext: contextTls(contexts, certs),
  };
  return { network, station, contexts, certs };
}

/** A port nothing listens on (just closed). */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
