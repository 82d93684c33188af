/**
 * The Wi-Fi configuration web server (manual §2.1.26, AT+QWEBCFG=1 with the soft-AP up): a real
 * HTTP server on a host port standing in for the page the module serves on its soft-AP.
 *
 *   GET  /             the scanned APs and an SSID/key form (webcfg-page.ts)
 *   POST /connect      the form (application/x-www-form-urlencoded): join and save, result page
 *   GET  /api/scan     {device, aps} as JSON
 *   POST /api/connect  {ssid, key} as JSON: answers the JoinOutcome
 *
 * Input ranges are AT+QSTAAPINFO's (§2.1.22): SSID 1–32 bytes, key empty (open) or 8–63 bytes.
 * Malformed input is 400; a join that fails is 200 with the outcome. Bodies are capped at 4 KiB.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAGE_CSP, renderFormPage, renderResultPage, type PageDevice, type WebConfigAp } from './webcfg-page.ts';

export type { WebConfigAp };


export type JoinOutcome =
  | { ok: true; ip: string }
  | { ok: false; reason: 'no-ap' | 'auth-failed' | 'timeout' | 'bad-input'; message: string };

export interface WebConfigDevice {
  /** e.g. "module 0" */
  label: string;
  /** e.g. "c8:47:8c:42:00:48" */
  mac: string;
  /** the soft-AP this page is served "on" */
  softApSsid: string;
  scan(): Promise<WebConfigAp[]>;
  /** Joins and saves on success. */
  join(ssid: string, key: string | undefined): Promise<JoinOutcome>;
}

export interface WebConfigServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const BODY_LIMIT = 4096;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startWebConfig(
  device: WebConfigDevice,
  opts: { host?: string; port?: number } = {},
): Promise<WebConfigServer> {
  const host = opts.host ?? '127.0.0.1';
  // One join at a time, as on the module: a second submit waits for the first.
  let joining: Promise<unknown> = Promise.resolve();
  const join = (ssid: string, key: string | undefined): Promise<JoinOutcome> => {
    const run = joining.then(() => device.join(ssid, key));
    joining = run.catch(() => {});
    return run;
  };

  const server = createServer((req, res) => {
    route(device, join, req, res).catch((err: unknown) => sendError(req, res, err));
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // after listening, nothing here is fatal

  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${urlHost(host)}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Join = (ssid: string, key: string | undefined) => Promise<JoinOutcome>;

async function route(device: WebConfigDevice, join: Join, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const allow = ROUTES[path ?? ''];
  if (allow === undefined) throw new HttpError(404, 'not found');
  if (method !== allow) {
    res.setHeader('Allow', allow === 'GET' ? 'GET, HEAD' : allow);
    throw new HttpError(405, 'method not allowed');
  }
  if (method === 'POST') checkOrigin(req);
  const info: PageDevice = { label: device.label, mac: device.mac, softApSsid: device.softApSsid };

  switch (path) {
    case '/': {
      const scan = await scanSafely(device);
      return sendHtml(res, 200, renderFormPage({ device: info, ...scan }));
    }
    case '/connect': {
      const form = new URLSearchParams((await readBody(req, 'application/x-www-form-urlencoded')).toString('utf8'));
      // Without JS a picked radio (ap) only counts when the SSID field was left empty.
      const ssid = form.get('ssid') || form.get('ap') || '';
      const key = form.get('key') ?? '';
      const problem = validate(ssid, key);
      if (problem !== undefined) {
        return sendHtml(res, 400, renderFormPage({ device: info, ...(await scanSafely(device)), error: problem, ssid }));
      }
      const outcome = await join(ssid, key === '' ? undefined : key);
      if (outcome.ok) return sendHtml(res, 200, renderResultPage({ device: info, ssid, ip: outcome.ip }));
      const error = `Could not connect to "${ssid}": ${outcome.message}`;
      return sendHtml(res, 200, renderFormPage({ device: info, ...(await scanSafely(device)), error, ssid }));
    }
    case '/api/scan':
      return sendJson(res, 200, { device: info, aps: await device.scan() });
    case '/api/connect': {
      const body = parseJson((await readBody(req, 'application/json')).toString('utf8'));
      const { ssid, key } = body;
      if (typeof ssid !== 'string' || (key !== undefined && key !== null && typeof key !== 'string')) {
        throw new HttpError(400, 'expected {"ssid": string, "key"?: string}');
      }
      const problem = validate(ssid, key ?? '');
      if (problem !== undefined) throw new HttpError(400, problem);
      return sendJson(res, 200, await join(ssid, key ? key : undefined));
    }
  }
}

const ROUTES: Record<string, 'GET' | 'POST'> = { '/': 'GET', '/connect': 'POST', '/api/scan': 'GET', '/api/connect': 'POST' };

/** AT+QSTAAPINFO's ranges (§2.1.22), in UTF-8 bytes; control characters can't go through AT either. */
function validate(ssid: string, key: string): string | undefined {
  const ssidBytes = Buffer.byteLength(ssid, 'utf8');
  const keyBytes = Buffer.byteLength(key, 'utf8');
  if (ssidBytes < 1 || ssidBytes > 32) return `The SSID must be 1–32 bytes (got ${ssidBytes}).`;
  if (keyBytes !== 0 && (keyBytes < 8 || keyBytes > 63)) {
    return `The key must be empty (open network) or 8–63 bytes (got ${keyBytes}).`;
  }
  if (/[\x00-\x1f\x7f]/.test(ssid + key)) return 'The SSID and key must not contain control characters.';
  return undefined;
}

async function scanSafely(device: WebConfigDevice): Promise<{ aps: WebConfigAp[]; scanError?: string }> {
  try {
    return { aps: await device.scan() };
  } catch (err) {
    return { aps: [], scanError: err instanceof Error ? err.message : String(err) };
  }
}

/** A cross-site page must not make the module join its AP: a browser's Origin must match Host. */
function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return; // not a browser (curl, scripts)
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    // "null" and other opaque origins
  }
  if (originHost !== req.headers.host) throw new HttpError(403, 'cross-origin request refused');
}

function readBody(req: IncomingMessage, type: string): Promise<Buffer> {
  const given = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (given !== type) return Promise.reject(new HttpError(415, `expected Content-Type ${type}`));
  const tooLarge = new HttpError(413, `request body over ${BODY_LIMIT} bytes`);
  if (Number(req.headers['content-length']) > BODY_LIMIT) return Promise.reject(tooLarge);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) reject(tooLarge);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // Not no-referrer: with it, Chromium sends "Origin: null" on the form POST (see checkOrigin).
    'Referrer-Policy': 'same-origin',
    ...(type.startsWith('text/html') ? { 'Content-Security-Policy': PAGE_CSP } : {}),
  });
  res.end(body);
}

const sendHtml = (res: ServerResponse, status: number, html: string) => send(res, status, 'text/html; charset=utf-8', html);
const sendJson = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : 500;
  const message = err instanceof HttpError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
  // Whatever is left of an unread body is not worth reading: close the connection once answered.
  if (!req.complete) res.setHeader('Connection', 'close');
  if ((req.url ?? '').startsWith('/api/')) {
    sendJson(res, status, status === 400 ? { ok: false, reason: 'bad-input', message } : { ok: false, message });
  } else {
    send(res, status, 'text/plain; charset=utf-8', `${status} ${message}\n`);
  }
}

/** The address a browser can open: the unspecified addresses mean "this host". */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
