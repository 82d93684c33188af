/**
 * Fetches and checks a firmware image for `AT+QWLANOTA=<URL>` (manual §2.1.8) over real
 * HTTP/HTTPS. The connection (and the TLS handshake of https) goes out through the module's one
 * way out, dial() (src/net/dial.ts): the world's hosts map with its port remapping, the station's
 * address, then DNS. Every failure is a short reason rather than an exception: the command only
 * answers OK or ERROR, the reason is for traces and logs.
 */
import type { Duplex } from 'node:stream';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { realClock } from '../clock.ts';
import { dial, type DialNetwork } from '../net/dial.ts';
import { hostKind } from '../net/resolve.ts';
import { Result, SocketError } from '../results/index.ts';
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

export function downloadOtaImage(url: string, opts: OtaDownloadOptions): Promise<OtaDownloadResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, reason: 'bad url' });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ ok: false, reason: 'unsupported scheme' });
  const secure = target.protocol === 'https:';
  const client = secure ? https : http;
  const host = target.hostname;
  const port = target.port === '' ? (secure ? 443 : 80) : Number(target.port);
  const network = opts.network ?? standaloneNetwork(opts.resolve);

  return new Promise((settle) => {
    let done = false;
    let req: http.ClientRequest | undefined;
    const dialing = new AbortController();
    const finish = (result: OtaDownloadResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      dialing.abort(new Error(result.ok ? 'done' : result.reason)); // a dial still under way leaves no socket
      req?.destroy();
      settle(result);
    };
    const fail = (reason: string) => finish({ ok: false, reason });
    const timer = setTimeout(() => fail('timeout'), opts.timeoutMs);

    // No agent: the request takes the socket dial() makes (TLS done for https), used once and
    // closed afterwards. The URL still gives the Host header: the name, with the port asked for.
    const options: http.RequestOptions = {
      // Without an agent Node knows no default port: the Host header would say fw.test:80.
      defaultPort: secure ? 443 : 80,
      createConnection: (_args, oncreate: (err: Error | null, socket: Duplex) => void) => {
        dial(
          { host, port },
          {
            network,
            signal: dialing.signal,
            connectTimeoutMs: opts.timeoutMs,
            ...(secure ? { tls: { options: httpsSettings(host), timeoutMs: opts.timeoutMs } } : {}),
          },
        ).then(
          (socket) => oncreate(null, socket),
          (error: Error) => oncreate(error, undefined as never),
        );
        return undefined;
      },
    };
    try {
      req = client.request(target, options, onResponse);
    } catch (e) {
      return fail(describe(e as NodeJS.ErrnoException)); // a request Node refuses to build
    }
    req.on('error', (err) => fail(describe(err)));
    req.end();

    function onResponse(res: http.IncomingMessage) {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) return fail(`http ${status}`);
      const declared = Number(res.headers['content-length']);
      if (declared > opts.maxBytes) return fail('too large');
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > opts.maxBytes) return fail('too large');
        chunks.push(chunk);
      });
      res.on('end', () => {
        const image = parseOtaImage(Buffer.concat(chunks));
        finish(image.ok ? { ok: true, version: image.version, bytes: received } : { ok: false, reason: image.reason });
      });
      res.on('error', (err) => fail(describe(err)));
      res.on('close', () => fail('connection closed'));
    }
  });
}
