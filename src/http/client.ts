/**
 * The module's HTTP(S) client (§2.6, §3.6): one HTTP/1.1 request over a socket from dial() —
 * the world's hosts map with its port remapping, and for https the SSL context's TLS (versions,
 * verification against the uploaded CA, client certificate, SNI) — with node:http speaking
 * HTTP on that socket. Keep-alive is off (`Connection: close`, a connection per command) and
 * redirects are not followed (a 3xx is the result). It resolves at the response head; the body
 * is handed over paused, so TCP pushes back on the server until the caller reads: nothing is
 * buffered beyond the stream's high-water mark. Failures are HttpErrors with Table 3's codes.
 * docs/http-client.md.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Clock } from '../clock.ts';
import { dial, type DialNetwork } from '../net/dial.ts';
import { HttpError, HttpResult } from '../results/index.ts';
import { contextSettings, dialFailure } from './client-failures.ts';
import { wireRequest } from './client-request.ts';
import type { HttpRequest, HttpResponse } from './types.ts';

/** dial()'s network; https needs its `sslContext` (the SSL group's `contextTls`). */
export interface HttpClientNetwork extends DialNetwork {}

/**
 * Sends `request` and resolves with the response head and its paused body. Nothing goes out when
 * the request is invalid (1) or refused before connecting (5, 7, 8). `responseTimeoutMs` runs on
 * `clock` from the moment the request is sent (the manual's wait_response_time); the TCP and TLS
 * handshakes have dial()'s own limits. The signal aborts the exchange at any point, the body
 * included (an abort before the head rejects with 2).
 */
export async function httpRequest(network: HttpClientNetwork, clock: Clock, request: HttpRequest): Promise<HttpResponse> {
  const wire = wireRequest(request);
  const { signal } = request;
  const tls = wire.secure ? contextSettings(network, request.sslCtx, wire.host) : undefined;
  let socket: net.Socket;
  try {
    socket = await dial({ host: wire.host, port: wire.port }, { network, signal, ...(tls ? { tls } : {}) });
  } catch (error) {
    throw dialFailure(error, signal);
  }
  if (signal?.aborted) {
    socket.destroy();
    throw dialFailure(signal.reason, signal);
  }
  return exchange(socket, wire, clock, request);
}

function exchange(socket: net.Socket, wire: ReturnType<typeof wireRequest>, clock: Clock, request: HttpRequest): Promise<HttpResponse> {
  const { signal } = request;
  return new Promise<HttpResponse>((resolve, reject) => {
    let response: http.IncomingMessage | null = null;
    let settled = false;
    const fail = (error: HttpError): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(error);
    };
    const onAbort = (): void => {
      if (response) return void response.destroy();
      fail(new HttpError(HttpResult.UNKNOWN_ERROR, 'request aborted', { cause: signal?.reason }));
    };
    // No agent: node:http writes on the socket dial() made, once. The headers in flat-array form
    // go out exactly as given — names' case, order, duplicates — and node adds none of its own.
    const req = http.request({ createConnection: () => socket, method: request.method, path: wire.path, headers: wire.headers, setHost: false });
    const timer = clock.setTimeout(
      () => fail(new HttpError(HttpResult.RESPONSE_TIMEOUT, `no response within ${request.responseTimeoutMs} ms`)),
      request.responseTimeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    // Stays for the whole exchange: a reset mid-body also ends the body (it closes without 'end').
    req.on('error', (error) => fail(new HttpError(HttpResult.SOCKET_FAILURE, `the connection failed: ${error.message}`, { cause: error })));
    req.on('response', (res) => {
      if (settled) return void res.destroy();
      settled = true;
      response = res;
      clock.clearTimeout(timer);
      res.on('error', () => {}); // the reader sees the body close without 'end'
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      const length = Number(res.headers['content-length']);
      resolve({
        status: res.statusCode ?? 0,
        rawHead: rawHead(res),
        ...(res.headers['content-length'] !== undefined && Number.isSafeInteger(length) ? { contentLength: length } : {}),
        body: res,
      });
    });
    req.end(wire.body ?? undefined);
  });
}

/**
 * The status line and header lines as they came, then the empty line (response/header 1).
 * node:http parses them, so this is rebuilt from its raw lists: names' case, order and
 * duplicates are kept; the space around a value is not.
 */
export function rawHead(res: http.IncomingMessage): Buffer {
  const lines = [`HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
