/**
 * For the control API tests: `fc41d serve --control 127.0.0.1:0` spawned for real, and a small
 * client that calls its HTTP API (real sockets, no mocks).
 */
import { Cli, serveTcp } from '../helpers/cli.ts';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when it is empty or not JSON. */
  json: any;
}

export type Api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

/** A client of the API at `base`; `body` is sent as JSON unless it is a string (sent as is). */
export function client(base: string, token?: string): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** `fc41d serve --tcp 127.0.0.1:0 --control 127.0.0.1:0 …`: its module 0 port and the control base URL (no trailing slash). */
export async function serveControl(...args: string[]): Promise<{ cli: Cli; port: number; base: string; api: Api }> {
  const { cli, port } = await serveTcp('--control', '127.0.0.1:0', ...args);
  const base = (await cli.waitFor(/^fc41d: control (http:\/\/127\.0\.0\.1:\d+)\/$/m))[1]!;
  return { cli, port, base, api: client(base) };
}
