/** HTTP AT tests' scaffolding: real local HTTP(S) servers that record what they got, and a joined module naming them. */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from '../ssl/certs.ts';
import { connectedModule } from '../tcpip/helpers.ts';

export const T = 10_000;

export interface Received {
  method: string;
  url: string;
  /** Header names as they came on the wire, with their values. */
  rawHeaders: [string, string][];
  body: Buffer;
}

export interface TestServer {
  port: number;
  requests: Received[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage & { body: Buffer }, res: ServerResponse) => void;

/** An HTTP (or, with `tls`, HTTPS) server on 127.0.0.1 that records every request and answers with `handler`. */
export async function testServer(handler: Handler, tls?: KeyPair & { requestCert?: boolean; ca?: Buffer }): Promise<TestServer> {
  const requests: Received[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rawHeaders: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      requests.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders, body });
      handler(Object.assign(req, { body }), res);
    });
  };
  const server = tls ? https.createServer({ ...tls, rejectUnauthorized: tls.requestCert === true }, onRequest) : http.createServer(onRequest);
  server.on('connection', (s) => s.setNoDelay(true));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A module joined to an AP whose hosts map names the server `web.test` (80 and 443 → its port) and `secure.test`. */
export async function httpModule(server: { port: number }, opts: { join?: boolean } = {}) {
  return connectedModule(
    {
      'web.test': { address: '127.0.0.1', ports: { '80': server.port, '443': server.port } },
      'secure.test': { address: '127.0.0.1', ports: { '443': server.port } },
    },
    opts,
  );
}
