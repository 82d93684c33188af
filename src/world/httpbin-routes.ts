/**
 * The endpoints of the default world's HTTP test service (httpbin.ts, docs/httpbin.md), in the
 * style of httpbin.org: JSON echoes of what was received, and answers with a chosen status, size,
 * range, delay or framing, so each case of §2.6 and example 4.6 has something to ask.
 *
 *   /get                 GET, HEAD: method, url, args, headers (names as received), origin
 *   /post, /put          POST, PUT: the same plus the body (data, encoding, length), json, form parts
 *   /status/<code>       that status (200–599); a 3xx with Location: /get
 *   /bytes/<n>           n seeded pseudo-random bytes (?seed=<int>, default 0), Content-Length
 *   /range/<n>           the same n bytes, honouring Range: bytes=a-b (206, 416)
 *   /delay/<s>           /get's answer after s seconds (decimals allowed)
 *   /redirect            302 to /get
 *   /stream/<n>          n JSON lines, chunked (no Content-Length)
 * Anything else: 404; a method an endpoint does not take: 405 with Allow.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.ts';
import { echoBytes, formBoundary, parseJson, parseMultipart, queryArgs, rawHeaderObject, type FormPart } from './httpbin-body.ts';
import { parseRange, seededBytes } from './httpbin-bytes.ts';

/** The largest /bytes and /range body, and the largest request body taken. */
export const MAX_BYTES = 10 * 1024 * 1024;
/** The longest /delay, in seconds: beyond a module's shortest wait_response_time (60 s, §2.6.2). */
export const MAX_DELAY_S = 300;
export const MAX_STREAM_LINES = 10_000;
/** Written in slices of this size, each after the last was taken (the client pushes back). */
const SLICE = 64 * 1024;

export interface RouteContext {
  scheme: 'http' | 'https';
  clock: Clock;
  /** /delay's pending answers: close() cancels them. */
  delays: Set<() => void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, arg: string, ctx: RouteContext, url: URL) => void | Promise<void>;

const ROUTES: { pattern: RegExp; methods: string[]; handle: Handler }[] = [
  { pattern: /^\/$/, methods: ['GET', 'HEAD'], handle: (_q, res) => sendJson(res, 200, { endpoints: ENDPOINTS }) },
  { pattern: /^\/get$/, methods: ['GET', 'HEAD'], handle: (req, res, _a, ctx, url) => sendJson(res, 200, echoRequest(req, ctx, url)) },
  { pattern: /^\/post$/, methods: ['POST'], handle: echoWithBody },
  { pattern: /^\/put$/, methods: ['PUT'], handle: echoWithBody },
  { pattern: /^\/status\/([^/]+)$/, methods: [], handle: status },
  { pattern: /^\/bytes\/([^/]+)$/, methods: ['GET', 'HEAD'], handle: bytes },
  { pattern: /^\/range\/([^/]+)$/, methods: ['GET', 'HEAD'], handle: range },
  { pattern: /^\/delay\/([^/]+)$/, methods: [], handle: delay },
  { pattern: /^\/redirect$/, methods: [], handle: (_q, res) => redirect(res, 302) },
  { pattern: /^\/stream\/([^/]+)$/, methods: ['GET'], handle: stream },
];

const ENDPOINTS = ['/get', '/post', '/put', '/status/<code>', '/bytes/<n>', '/range/<n>', '/delay/<s>', '/redirect', '/stream/<n>'];

/** Answers one request. */
export async function route(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const url = requestUrl(req, ctx);
  for (const r of ROUTES) {
    const m = r.pattern.exec(url.pathname);
    if (!m) continue;
    if (r.methods.length > 0 && !r.methods.includes(req.method ?? '')) {
      res.setHeader('Allow', r.methods.join(', '));
      return sendJson(res, 405, { error: `${req.method} not allowed on ${url.pathname}`, allow: r.methods });
    }
    return r.handle(req, res, m[1] ?? '', ctx, url);
  }
  sendJson(res, 404, { error: `no endpoint ${url.pathname}`, endpoints: ENDPOINTS });
}

/** The URL the client asked for: absolute-form as is, else scheme + Host + path. */
function requestUrl(req: IncomingMessage, ctx: RouteContext): URL {
  const target = req.url ?? '/';
  if (/^https?:\/\//i.test(target)) return new URL(target);
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  try {
    return new URL(`${ctx.scheme}://${host}${target}`);
  } catch {
    return new URL(target, `${ctx.scheme}://${req.socket.localAddress}:${req.socket.localPort}`);
  }
}

function echoRequest(req: IncomingMessage, _ctx: RouteContext, url: URL) {
  return {
    method: req.method,
    url: url.href,
    args: queryArgs(url.searchParams),
    headers: rawHeaderObject(req.rawHeaders),
    origin: req.socket.remoteAddress,
  };
}

async function echoWithBody(req: IncomingMessage, res: ServerResponse, _a: string, ctx: RouteContext, url: URL): Promise<void> {
  const body = await readBody(req);
  if (body === null) {
    res.setHeader('Connection', 'close');
    return sendJson(res, 413, { error: `a body over ${MAX_BYTES} bytes` });
  }
  const boundary = formBoundary(req.headers['content-type']);
  let form: FormPart[] = [];
  let formError: string | undefined;
  if (boundary !== null) {
    try {
      form = parseMultipart(body, boundary);
    } catch (e) {
      formError = (e as Error).message;
    }
  }
  sendJson(res, 200, { ...echoRequest(req, ctx, url), ...echoBytes(body), json: parseJson(body), form, ...(formError ? { formError } : {}) });
}

/** The whole request body; null once it passes MAX_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function status(req: IncomingMessage, res: ServerResponse, arg: string): void {
  const code = /^\d{3}$/.test(arg) ? Number(arg) : NaN;
  if (!(code >= 200 && code <= 599)) return sendJson(res, 400, { error: `status ${JSON.stringify(arg)}: 200–599` });
  if (code >= 300 && code < 400) return redirect(res, code);
  if (code === 401) res.setHeader('WWW-Authenticate', 'Basic realm="httpbin.fc41d.local"');
  // 204 and 304 carry no body; HEAD never does (node sends none).
  if (code === 204) return void res.writeHead(code).end();
  sendJson(res, code, { status: code, method: req.method });
}

function redirect(res: ServerResponse, code: number): void {
  res.writeHead(code, { Location: '/get', 'Content-Length': '0' }).end();
}

/** n in 0…max, or a 400 answer and null. */
function count(res: ServerResponse, arg: string, max: number, what: string): number | null {
  const n = /^\d{1,9}$/.test(arg) ? Number(arg) : NaN;
  if (n <= max) return n;
  sendJson(res, 400, { error: `${what} ${JSON.stringify(arg)}: 0–${max}` });
  return null;
}

function seedOf(url: URL): number {
  const seed = Number(url.searchParams.get('seed') ?? 0);
  return Number.isSafeInteger(seed) ? seed >>> 0 : 0;
}

function bytes(_req: IncomingMessage, res: ServerResponse, arg: string, _ctx: RouteContext, url: URL): Promise<void> | void {
  const n = count(res, arg, MAX_BYTES, 'bytes');
  if (n === null) return;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(n) });
  return writeBytes(res, seedOf(url), 0, n);
}

function range(req: IncomingMessage, res: ServerResponse, arg: string, _ctx: RouteContext, url: URL): Promise<void> | void {
  const n = count(res, arg, MAX_BYTES, 'range');
  if (n === null) return;
  const asked = parseRange(req.headers.range, n);
  const head = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  if (asked.kind === 'unsatisfiable') return sendJson(res, 416, { error: `range ${req.headers.range} outside ${n} bytes` }, { ...head, 'Content-Range': `bytes */${n}` });
  if (asked.kind === 'whole') {
    res.writeHead(200, { ...head, 'Content-Length': String(n) });
    return writeBytes(res, seedOf(url), 0, n);
  }
  const length = asked.end - asked.start + 1;
  res.writeHead(206, { ...head, 'Content-Length': String(length), 'Content-Range': `bytes ${asked.start}-${asked.end}/${n}` });
  return writeBytes(res, seedOf(url), asked.start, length);
}

/** Writes bytes start…start+length-1 of the seeded stream, a slice at a time, and ends. */
async function writeBytes(res: ServerResponse, seed: number, start: number, length: number): Promise<void> {
  for (let at = 0; at < length && !res.destroyed; at += SLICE) {
    if (!res.write(seededBytes(seed, start + at, Math.min(SLICE, length - at)))) await drained(res);
  }
  res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function delay(req: IncomingMessage, res: ServerResponse, arg: string, ctx: RouteContext, url: URL): void {
  const seconds = /^\d+(\.\d+)?$/.test(arg) ? Number(arg) : NaN;
  if (!(seconds <= MAX_DELAY_S)) return sendJson(res, 400, { error: `delay ${JSON.stringify(arg)}: 0–${MAX_DELAY_S} seconds` });
  const cancel = () => {
    ctx.clock.clearTimeout(timer);
    ctx.delays.delete(cancel);
  };
  const timer = ctx.clock.setTimeout(() => {
    cancel();
    if (!res.destroyed) sendJson(res, 200, { ...echoRequest(req, ctx, url), delay: seconds });
  }, seconds * 1000);
  ctx.delays.add(cancel);
  res.once('close', cancel); // the client gave up
}

async function stream(req: IncomingMessage, res: ServerResponse, arg: string, ctx: RouteContext, url: URL): Promise<void> {
  const n = count(res, arg, MAX_STREAM_LINES, 'stream');
  if (n === null) return;
  res.writeHead(200, { 'Content-Type': 'application/json' }); // no Content-Length: chunked
  res.flushHeaders();
  const base = echoRequest(req, ctx, url);
  for (let id = 0; id < n && !res.destroyed; id++) {
    // One chunk per line, each written once the last has left (a new turn of the event loop).
    if (!res.write(`${JSON.stringify({ id, url: base.url, args: base.args })}\n`)) await drained(res);
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = Buffer.from(`${JSON.stringify(body, null, 2)}\n`, 'utf8');
  res.writeHead(code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(text.length) }).end(text);
}
