/**
 * What the HTTP test service (httpbin.ts) echoes of a request: its headers with the names as
 * received, its query arguments, its body (text when it is valid UTF-8, base64 otherwise, and its
 * length in bytes), and the parts of a multipart/form-data body (RFC 7578) — what a module's
 * AT+QHTTPPOST form-data form (§2.6.3) made of the host's bytes.
 */
import { isUtf8 } from 'node:buffer';

/** A body as JSON can carry it. */
export interface EchoedBytes {
  data: string;
  encoding: 'utf8' | 'base64';
  length: number;
}

export interface FormPart extends EchoedBytes {
  name: string | null;
  /** `filename=` of Content-Disposition; null when the part has none. */
  filename: string | null;
  contentType: string | null;
  /** The part's own header lines, names as sent. */
  headers: Record<string, string>;
}

export function echoBytes(bytes: Buffer): EchoedBytes {
  return isUtf8(bytes)
    ? { data: bytes.toString('utf8'), encoding: 'utf8', length: bytes.length }
    : { data: bytes.toString('base64'), encoding: 'base64', length: bytes.length };
}

/** Header name → value from `rawHeaders` (names as sent; a repeated name's values joined by ", "). */
export function rawHeaderObject(raw: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const [name, value] = [raw[i], raw[i + 1]];
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  }
  return out;
}

/** Query arguments; a repeated one becomes a list. */
export function queryArgs(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of params) {
    const had = out[key];
    out[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
}

/** The body's JSON when it is JSON text, else null. */
export function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0 || !isUtf8(bytes)) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

/** The boundary of a multipart/form-data Content-Type; null for any other type. */
export function formBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const params = parameters(contentType.slice(contentType.indexOf(';') + 1));
  return params.boundary || null;
}

/**
 * The parts of a multipart body. Throws (with why) when the body is not one: no first boundary,
 * a part without its blank line, or no closing boundary.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const next = Buffer.from(`\r\n--${boundary}`, 'latin1');
  // The first delimiter opens the body, or follows a preamble and its CRLF.
  let at = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(next);
  if (at < 0) throw new Error(`no boundary "${boundary}" in the body`);
  if (at > 0) at += 2;
  const parts: FormPart[] = [];
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    // Transport padding (spaces, tabs) may follow a delimiter, then CRLF.
    while (body[at] === 0x20 || body[at] === 0x09) at++;
    if (body.subarray(at, at + 2).toString('latin1') !== '\r\n') throw new Error(`part ${parts.length + 1}: no CRLF after the boundary`);
    at += 2;
    const headEnd = body.indexOf('\r\n\r\n', at, 'latin1');
    const startsBlank = body.subarray(at, at + 2).toString('latin1') === '\r\n';
    if (headEnd < 0 && !startsBlank) throw new Error(`part ${parts.length + 1}: no blank line after its headers`);
    const head = startsBlank ? '' : body.subarray(at, headEnd).toString('utf8');
    const contentStart = startsBlank ? at + 2 : headEnd + 4;
    const end = body.indexOf(next, contentStart);
    if (end < 0) throw new Error(`part ${parts.length + 1}: no closing boundary`);
    parts.push(part(head, body.subarray(contentStart, end)));
    at = end + 2;
  }
}

function part(head: string, content: Buffer): FormPart {
  const headers: Record<string, string> = Object.create(null);
  const byName = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    headers[name] = value;
    byName.set(name.toLowerCase(), value);
  }
  const disposition = byName.get('content-disposition') ?? '';
  const params = parameters(disposition.slice(disposition.indexOf(';') + 1));
  return {
    name: params.name ?? null,
    filename: params.filename ?? null,
    contentType: byName.get('content-type') ?? null,
    headers,
    ...echoBytes(content),
  };
}

/** `a=1; b="x;y"` → { a: '1', b: 'x;y' } (names lower-cased; quotes and backslash escapes undone). */
function parameters(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const re = /\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))\s*;?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
  }
  return out;
}
