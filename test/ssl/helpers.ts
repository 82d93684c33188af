/**
 * SSL test scaffolding on top of test/net/helpers.ts: a socket service with an in-memory flash,
 * certificate store and SSL contexts; real TLS servers on 127.0.0.1 (echo by default) that
 * record what they saw (SNI, protocol, cipher, client certificate, handshake errors).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import { Flash } from '../../src/device/flash.ts';
import type { NetSockets } from '../../src/net/socket-service.ts';
import type { ResultCode } from '../../src/results/index.ts';
import { CertStore } from '../../src/ssl/cert-store.ts';
import { SslContexts } from '../../src/ssl/contexts.ts';
import { tlsOptions } from '../../src/ssl/tls-options.ts';
import type { SslContextPatch, SslOpenRequest } from '../../src/ssl/types.ts';
import { defer, rig, type Rig } from '../net/helpers.ts';
import { type KeyPair, pki } from './certs.ts';

export interface SslRig extends Rig {
  certs: CertStore;
  contexts: SslContexts;
}

export function sslRig(options: Parameters<typeof rig>[0] = {}): SslRig {
  const base = rig(options);
  return { ...base, certs: new CertStore(Flash.open()), contexts: new SslContexts() };
}

/** Uploads certificates into the rig's store (insisting they are accepted). */
export function upload(r: SslRig, certs: { ca?: Buffer; cert?: Buffer; key?: Buffer }): void {
  for (const [type, bytes] of [
    ['CA', certs.ca],
    ['User Cert', certs.cert],
    ['User Key', certs.key],
  ] as const) {
    if (!bytes) continue;
    const put = r.certs.put(type, bytes);
    assert.ok(put.ok, `upload ${type}: ${put.ok ? '' : put.reason}`);
  }
}

export interface SslOpen {
  ctx?: number;
  id?: number;
  host?: string;
  port: number;
  mode?: 0 | 1 | 2;
  /** Context settings applied before the open. */
  config?: SslContextPatch;
  /** Replaces the negotiation timeout (the contexts take 60–300 s only). */
  timeoutMs?: number;
}

/** Configures the context, asks tlsOptions and opens; insists tlsOptions accepts. */
export function openSsl(r: SslRig, open: SslOpen): Promise<ResultCode> {
  const ctx = open.ctx ?? 1;
  if (open.config) assert.ok(r.contexts.set(ctx, open.config), `context ${ctx} takes ${JSON.stringify(open.config)}`);
  const host = open.host ?? '127.0.0.1';
  const options = tlsOptions(r.contexts.get(ctx), r.certs, host);
  assert.ok(options.ok, `tlsOptions: ${options.ok ? '' : `${options.result} ${options.detail}`}`);
  const request: SslOpenRequest = { ctx, id: open.id ?? 0, host, remotePort: open.port, localPort: 0, mode: open.mode ?? 0 };
  return r.svc.openSsl(request, open.timeoutMs === undefined ? options : { ...options, timeoutMs: open.timeoutMs });
}

/** What the service reported last, for assertion messages. */
export function why(svc: NetSockets): string {
  return `${svc.lastResult} ${svc.lastDetail}`;
}

export interface TlsPeer {
  port: number;
  server: tls.Server;
  /** Established connections, in order. */
  secure: tls.TLSSocket[];
  /** Raw TCP connections (before any handshake). */
  raw: net.Socket[];
  /** Handshake failures the server saw. */
  clientErrors: Error[];
  /** The next established connection. */
  connection(): Promise<tls.TLSSocket>;
}

/**
 * A TLS server on 127.0.0.1:0 (default: the CA-signed `server` certificate) that echoes unless
 * `handle` says otherwise; closed after the test.
 */
export async function tlsServer(options: tls.TlsOptions & { pair?: KeyPair; handle?: (socket: tls.TLSSocket) => void } = {}): Promise<TlsPeer> {
  const { pair = pki().server, handle = (s) => s.pipe(s), ...rest } = options;
  const secure: tls.TLSSocket[] = [];
  const raw: net.Socket[] = [];
  const clientErrors: Error[] = [];
  const waiting: ((s: tls.TLSSocket) => void)[] = [];
  const server = tls.createServer({ cert: pair.cert, key: pair.key, ...rest }, (socket) => {
    socket.on('error', () => {});
    secure.push(socket);
    waiting.shift()?.(socket);
    handle(socket);
  });
  server.on('connection', (socket: net.Socket) => {
    socket.on('error', () => {});
    raw.push(socket);
  });
  server.on('tlsClientError', (error) => clientErrors.push(error));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(async () => {
    for (const s of [...secure, ...raw]) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  let seen = 0;
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    secure,
    raw,
    clientErrors,
    connection: () => {
      const index = seen++;
      const existing = secure[index];
      return existing ? Promise.resolve(existing) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** A server that still accepts TLS 1.0 and 1.1 (OpenSSL 3 needs security level 0 for them). */
export function legacyTlsServer(options: tls.TlsOptions = {}): Promise<TlsPeer> {
  return tlsServer({ minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', ...options });
}
