/**
 * Who may use the control API (docs/control.md "Security"). Bound to loopback, the Host header
 * must name loopback too (a DNS-rebinding page names its own host); a request with an `Origin`
 * must come from the server's own origin (a page elsewhere cannot drive the emulator); with a
 * token, every request needs it: the API as `Authorization: Bearer`, the WebSocket as that or
 * `?token=`, and the dashboard's files (which a browser fetches without headers) as `?token=` on
 * the page, whose answer sets a same-site cookie that the page's scripts and styles then carry.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface SecurityOptions {
  /** Whether the server is bound to a loopback address. */
  loopback: boolean;
  /** When set, every API request needs `Authorization: Bearer <token>` (a WebSocket may send `?token=`). */
  token?: string;
}

export type Refusal = { status: 401 | 403; error: string };

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '::ffff:127.0.0.1';
}

/** The hostname part of a Host header (`[::1]:80` → `::1`). */
function hostnameOf(hostHeader: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return m ? m[1]! : hostHeader;
}

/** The cookie a page opened with a valid `?token=` sets, for the page's own files. */
export const TOKEN_COOKIE = 'fc41d_control';

/** What is asked: the API (Bearer only), the live WebSocket (or `?token=`), a dashboard file (or `?token=`, or the cookie). */
export type RequestKind = 'api' | 'upgrade' | 'page';

/** Why a request may not go on, or null. */
export function refuse(req: IncomingMessage, url: URL, opts: SecurityOptions, kind: RequestKind): Refusal | null {
  const host = req.headers.host ?? '';
  if (opts.loopback && !isLoopbackHost(hostnameOf(host))) return { status: 403, error: `Host ${JSON.stringify(host)} is not this loopback server` };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, error: `Origin ${origin} may not use this API` };
  if (opts.token === undefined) return null;
  const auth = req.headers.authorization;
  const offered = [auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined];
  if (kind !== 'api') offered.push(url.searchParams.get('token') ?? undefined);
  if (kind === 'page') offered.push(cookie(req, TOKEN_COOKIE));
  if (!offered.some((given) => given !== undefined && sameSecret(given, opts.token!))) {
    return { status: 401, error: 'a Bearer token is needed (Authorization: Bearer <token>; the dashboard: /?token=<token>)' };
  }
  return null;
}

/** Whether the token came in the URL (the page then sets the cookie for its files). */
export function tokenInUrl(url: URL, opts: SecurityOptions): boolean {
  const given = url.searchParams.get('token');
  return opts.token !== undefined && given !== null && sameSecret(given, opts.token);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
