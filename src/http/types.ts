/**
 * HTTP(S) (manual §2.6, §3.6): the saved settings of AT+QHTTPCFG and the contract of the HTTP
 * client (client.ts) the AT side drives. The client speaks HTTP/1.1 over a socket from dial()
 * (hosts map, SSL contexts); it never formats AT text. Failures are `HttpError`s
 * (src/results/errors.ts) carrying Table 3's codes.
 */
import type { Readable } from 'node:stream';
import type { Random } from '../random.ts';

/** §2.6.1, saved automatically in flash (the `http` section). */
export interface HttpSettings {
  url: string;
  /** Custom headers in the order set; names as the host typed them (sent verbatim). */
  headers: { name: string; value: string }[];
  auth: { username: string; password: string } | null;
  /** 0: AT+QHTTPREAD; 1: +QHTTPURC: "recv" chunks after the result. */
  output: 0 | 1;
  /** 1: the status line and headers come in front of the body. */
  responseHeader: 0 | 1;
  sslCtx: number;
}

/** A request body: raw bytes, or the manual's form-data (one multipart part). */
export type RequestBody =
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'form'; bytes: Buffer; name: string; fileName: string; contentType: string };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: { name: string; value: string }[];
  auth: { username: string; password: string } | null;
  body?: RequestBody;
  /** SSL context for https URLs. */
  sslCtx: number;
  /** No response head within this long → HttpError 9 (RESPONSE_TIMEOUT). */
  responseTimeoutMs: number;
  signal?: AbortSignal;
  /** Draws for the multipart boundary when the run is seeded (`world.randomFor('http-boundary')`); else crypto's. */
  random?: Random;
}

/** What came back: the head at once, the body as a paused stream the caller reads at its pace. */
export interface HttpResponse {
  status: number;
  /** The status line and header lines as received (`HTTP/1.1 200 OK\r\n…\r\n\r\n`), for response/header 1. */
  rawHead: Buffer;
  /** Content-Length when the server sent one. */
  contentLength?: number;
  /** The body (de-chunked), paused until read; the socket pushes back on the server meanwhile. */
  body: Readable;
}
