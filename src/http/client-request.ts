/**
 * An HttpRequest (types.ts) checked and turned into what goes on the wire — before any connection
 * is made, so a request that would be malformed costs nothing and sends nothing (HttpError 1,
 * Table 3). The request line's target, the header lines in their order, and the body bytes
 * (raw, or the manual's form-data POST as one multipart part, §2.6.3). docs/http-client.md.
 */
import { randomBytes } from 'node:crypto';
import { hostKind } from '../net/resolve.ts';
import { type Random, randomInt } from '../random.ts';
import { HttpError, HttpResult } from '../results/index.ts';
import type { HttpRequest, RequestBody } from './types.ts';
import { badHeader, parseHttpUrl } from './url.ts';

export interface WireRequest {
  secure: boolean;
  /** As in the URL (a name or an IPv4 literal, lower case) and the port asked for (before remapping). */
  host: string;
  port: number;
  /** The request line's target: path and query (the fragment never goes out). */
  path: string;
  /** Header lines in order, as node:http's flat array form `[name, value, name, value, …]`: sent as they are. */
  headers: string[];
  body: Buffer | null;
}

/** Framing is the client's own: a configured header of these names is not sent (docs/http-client.md). */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

/** The form part's content type when the command gave none. */
export const FORM_DEFAULT_TYPE = 'application/octet-stream';

export function wireRequest(request: HttpRequest): WireRequest {
  const url = parseHttpUrl(request.url);
  if (!url) throw invalid(`not an http(s) URL with a host: ${JSON.stringify(request.url)}`);
  if (hostKind(url.hostname) === 'bad') throw invalid(`the module cannot reach host ${url.hostname}`);
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`bad port ${url.port}`);

  const configured = request.headers.map(({ name, value }) => {
    const wire = { name: onWire(name), value: onWire(value) };
    if (badHeader(name, value) || !VALUE.test(wire.value)) throw invalid(`header ${JSON.stringify(name)} would break the request`);
    return wire;
  });
  const has = (name: string) => configured.some((h) => h.name.toLowerCase() === name);
  const body = request.body ? encodeBody(request.body, request.random) : null;

  const headers: string[] = [];
  const add = (name: string, value: string) => headers.push(name, value);
  // Host from the URL: the name as given (lower case), with the port when it is not the scheme's.
  if (!has('host')) add('Host', url.host);
  for (const h of configured) if (!FRAMING.has(h.name.toLowerCase())) add(h.name, h.value);
  const auth = request.auth ?? credentialsIn(url);
  if (auth && !has('authorization')) add('Authorization', `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`);
  if (body?.type && !has('content-type')) add('Content-Type', body.type);
  if (body) add('Content-Length', String(body.bytes.length));
  add('Connection', 'close');
  return { secure, host: url.hostname, port, path: `${url.pathname}${url.search}`, headers, body: body?.bytes ?? null };
}

/** What node:http lets through in a header value once it is bytes (tab, visible ASCII, 0x80–0xFF). */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The bytes the host typed, as node:http writes headers (latin1: one byte per character): the
 * AT line is UTF-8, so a value typed as UTF-8 leaves as the same bytes.
 */
function onWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** `http://user:pass@host/`: basic auth when AT+QHTTPCFG="auth" set none. */
function credentialsIn(url: URL): { username: string; password: string } | null {
  if (url.username === '' && url.password === '') return null;
  return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/** A raw body as it is (no Content-Type of the client's own); form-data as one multipart part. */
function encodeBody(body: RequestBody, random: Random | undefined): { bytes: Buffer; type?: string } {
  if (body.kind === 'raw') return { bytes: body.bytes };
  if (/[\r\n\0]/.test(body.contentType)) throw invalid('the form part content type holds CR, LF or NUL');
  const boundary = freshBoundary(body.bytes, random);
  const disposition = `form-data; name="${quoted(body.name)}"${body.fileName === '' ? '' : `; filename="${quoted(body.fileName)}"`}`;
  const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${body.contentType || FORM_DEFAULT_TYPE}\r\n\r\n`;
  const bytes = Buffer.concat([Buffer.from(head, 'utf8'), body.bytes, Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1')]);
  return { bytes, type: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A boundary that does not occur in the part's bytes (RFC 2046, section 5.1.1); from the run's
 * seed when there is one (the same bytes on the wire every run), else from crypto.
 */
function freshBoundary(bytes: Buffer, random: Random | undefined): string {
  for (;;) {
    const noise = random ? Buffer.from(Array.from({ length: 12 }, () => randomInt(random, 0, 255))) : randomBytes(12);
    const boundary = `----FC41DFormBoundary${noise.toString('hex')}`;
    if (!bytes.includes(boundary, 0, 'latin1')) return boundary;
  }
}

/** A name inside a quoted form-data parameter, escaped as HTML forms do (`"`, CR, LF). */
function quoted(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function invalid(message: string): HttpError {
  return new HttpError(HttpResult.INVALID_PARAMETER, message);
}
