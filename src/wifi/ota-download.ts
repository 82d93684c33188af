/**
 * Fetches and checks a firmware image for `AT+QWLANOTA=<URL>` (manual §2.1.8) over real
 * HTTP/HTTPS. Every failure is a short reason rather than an exception: the command only
 * answers OK or ERROR, the reason is for traces and logs.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { parseOtaImage } from './ota-image.ts';

/** The largest image the module accepts (our choice; the manual gives no figure). */
export const OTA_MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** Whole download, connect to last byte. */
export const OTA_DOWNLOAD_TIMEOUT_MS = 30_000;

export interface OtaDownloadOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Host name → IP (the world's hosts map); undefined falls back to the system resolver. */
  resolve?: (host: string) => string | undefined;
}

export type OtaDownloadResult = { ok: true; version: string; bytes: number } | { ok: false; reason: string };

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that asks `resolve` first. Going through lookup (not rewriting
 * the URL) keeps the Host header and the TLS server name the original host.
 */
function hostsLookup(resolve: (host: string) => string | undefined) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    const address = resolve(hostname);
    const family = address === undefined ? 0 : isIP(address);
    if (family === 0) return dnsLookup(hostname, options, callback as never);
    // Node 20 asks for `all: true` when it may try several addresses (autoSelectFamily).
    if (options.all) callback(null, [{ address: address!, family }]);
    else callback(null, address!, family);
  };
}

function describe(err: NodeJS.ErrnoException): string {
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
  const client = target.protocol === 'https:' ? https : http;

  return new Promise((settle) => {
    let done = false;
    let req: http.ClientRequest | undefined;
    const finish = (result: OtaDownloadResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req?.destroy();
      settle(result);
    };
    const fail = (reason: string) => finish({ ok: false, reason });
    const timer = setTimeout(() => fail('timeout'), opts.timeoutMs);

    // agent: false: a fresh socket closed afterwards, none left in a keep-alive pool.
    const options: http.RequestOptions = { agent: false };
    if (opts.resolve) options.lookup = hostsLookup(opts.resolve) as http.RequestOptions['lookup'];
    try {
      req = client.request(target, options, onResponse);
    } catch (e) {
      return fail(describe(e as NodeJS.ErrnoException)); // a request Node refuses to build
    }
    req.on('error', (err: NodeJS.ErrnoException) => fail(describe(err)));
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
      res.on('error', (err: NodeJS.ErrnoException) => fail(describe(err)));
      res.on('close', () => fail('connection closed'));
    }
  });
}
