/**
 * Fetches and checks a firmware image for `AT+QWLANOTA=<URL>` (manual §2.1.8) over real
 * HTTP/HTTPS, through the module's HTTP client (src/http/client.ts) and so through dial()
 * (src/net/dial.ts): the world's hosts map with its port remapping, the station's address, then
 * DNS. Unlike AT+QHTTPGET it checks https servers against the system CA store (there is no SSL
 * context in the command). Every failure is a short reason rather than an exception: the command
 * only answers OK or ERROR, the reason is for traces and logs.
 */
import tls from 'node:tls';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { realClock } from '../clock.ts';
import { httpRequest, type HttpClientNetwork } from '../http/client.ts';
import type { HttpResponse } from '../http/types.ts';
import type { DialNetwork } from '../net/dial.ts';
import { hostKind } from '../net/resolve.ts';
import { HttpError, HttpResult, Result, SocketError } from '../results/index.ts';
import { parseOtaImage } from './ota-image.ts';

/** The largest image the module accepts (our choice; the manual gives no figure). */
export const OTA_MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** Whole download, connect to last byte. */
export const OTA_DOWNLOAD_TIMEOUT_MS = 30_000;

export interface OtaDownloadOptions {
  timeoutMs: number;
  maxBytes: number;
  /** The module's network for dial(): hosts map (with port remapping), station address, clock. */
  network?: DialNetwork;
  /**
   * Without `network`: host name → IP (a hosts map without port remapping; undefined asks DNS),
   * on a network that is always up.
   */
  resolve?: (host: string) => string | undefined;
}

export type OtaDownloadResult = { ok: true; version: string; bytes: number } | { ok: false; reason: string };

/** The network of a download given only a `resolve` hook (or nothing): always up, real time. */
function standaloneNetwork(resolve: ((host: string) => string | undefined) | undefined): DialNetwork {
  return {
    world: {
      resolveHost: (name, port = 0) => {
        const address = resolve?.(name);
        return address !== undefined && isIP(address) === 4 ? { address, port } : undefined;
      },
    },
    hasIp: () => true,
    clock: realClock,
  };
}

/**
 * HTTPS checks the server against the system CA store and the URL's host name (never the
 * address the hosts map gave); SNI carries the name, never an IP literal (RFC 6066).
 */
function httpsSettings(host: string): tls.ConnectionOptions {
  const name = host.replace(/\.$/, '');
  return {
    ...(hostKind(host) === 'name' ? { servername: name } : {}),
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
  };
}

function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  if (error instanceof SocketError) {
    if (error.result === Result.NOT_ALLOWED) return 'no network';
    if (error.result === Result.INVALID_PARAMETER) return 'bad url';
    // Every handshake failure is a TLS error, whatever OpenSSL calls it (UNABLE_TO_VERIFY_…, ECONNRESET, a timeout).
    if (error.message.startsWith('TLS handshake failed')) return `tls error ${codeOf(error.cause) ?? 'HANDSHAKE_FAILED'}`;
    if (error.cause !== undefined) return describe(error.cause);
    return `network error ${error.message}`;
  }
  const err = error as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return 'dns failure';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      if (err.code && /CERT|SSL|TLS/.test(err.code)) return `tls error ${err.code}`;
      return err.code ? `network error ${err.code}` : `network error ${err.message}`;
  }
}

/**
 * The download's network: the module's (or a standalone one), its https checked as
 * httpsSettings says whatever SSL context the request names.
 */
function otaNetwork(network: DialNetwork, timeoutMs: number): HttpClientNetwork {
  return {
    world: network.world,
    hasIp: () => network.hasIp(),
    clock: network.clock,
    ...(network.lookup ? { lookup: network.lookup } : {}),
    ...(network.connect ? { connect: network.connect } : {}),
    ...(network.faults ? { faults: network.faults } : {}),
    ...(network.net ? { net: network.net } : {}),
    ...(network.module === undefined ? {} : { module: network.module }),
    sslContext: (_ctx, host) => ({ ok: true, options: httpsSettings(host), timeoutMs }),
  };
}

/** An HttpError as a reason: what went wrong underneath, in the words the traces have always used. */
function reasonOf(error: unknown): string {
  if (!(error instanceof HttpError)) return describe(error);
  if (error.result === HttpResult.NO_NETWORK) return 'no network';
  if (error.result === HttpResult.INVALID_PARAMETER) return 'bad url';
  if (error.result === HttpResult.RESPONSE_TIMEOUT) return 'timeout';
  return error.cause === undefined ? `network error ${error.message}` : describe(error.cause);
}

export function downloadOtaImage(url: string, opts: OtaDownloadOptions): Promise<OtaDownloadResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, reason: 'bad url' });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ ok: false, reason: 'unsupported scheme' });
  const base = opts.network ?? standaloneNetwork(opts.resolve);
  const network = otaNetwork(base, opts.timeoutMs);

  return new Promise((settle) => {
    let done = false;
    let body: Readable | undefined;
    const stop = new AbortController();
    const finish = (result: OtaDownloadResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop.abort(new Error(result.ok ? 'done' : result.reason)); // a request still under way leaves no socket
      body?.destroy();
      settle(result);
    };
    const fail = (reason: string) => finish({ ok: false, reason });
    // Whole download, connect to last byte (the client's own wait covers only the response head).
    const timer = setTimeout(() => fail('timeout'), opts.timeoutMs);

    httpRequest(network, base.clock, {
      method: 'GET',
      url,
      headers: [],
      auth: null,
      sslCtx: 0,
      responseTimeoutMs: opts.timeoutMs,
      signal: stop.signal,
    }).then(onResponse, (error: unknown) => fail(reasonOf(error)));

    function onResponse(res: HttpResponse) {
      body = res.body;
      if (done) return void res.body.destroy();
      if (res.status < 200 || res.status > 299) return fail(`http ${res.status}`);
      if ((res.contentLength ?? 0) > opts.maxBytes) return fail('too large');
      const chunks: Buffer[] = [];
      let received = 0;
      res.body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > opts.maxBytes) return fail('too large');
        chunks.push(chunk);
      });
      res.body.on('end', () => {
        const image = parseOtaImage(Buffer.concat(chunks));
        finish(image.ok ? { ok: true, version: image.version, bytes: received } : { ok: false, reason: image.reason });
      });
      res.body.on('error', (err) => fail(describe(err)));
      res.body.on('close', () => fail('connection closed'));
    }
  });
}
