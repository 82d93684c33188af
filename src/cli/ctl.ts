/**
 * `fc41d ctl [--url URL] [--token T] <verb> …`: the control API (docs/control.md) from shell
 * scripts. The answer's JSON (or the trace's NDJSON) goes to stdout. Exit 0 on success, 1 when
 * the API refused (4xx/5xx; its message on stderr), 2 on bad usage or when the API cannot be
 * reached. URL: --url, else $FC41D_CONTROL_URL, else http://127.0.0.1:8080; token: --token,
 * else $FC41D_CONTROL_TOKEN.
 */
import { UsageError } from './options.ts';

export const CTL_USAGE = `usage: fc41d ctl [--url URL] [--token TOKEN] <verb> …
  modules | module <i> | world
  reset <i> | power-cut <i> | power-on <i> | wake <i> | airkiss <i> <ssid> [key]
  ap <ssid> up|down|rssi <dBm>|password <key>|channel <n>|remove
  host <name> <address> | host <name> remove
  fault add <kind> key=value… | fault list | fault rm <id>
  trace [--module <i>] [--since <time>] [--until <time>]`;

export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:8080';

/** One HTTP call the verb makes. */
export interface CtlRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface CtlInvocation {
  url: string;
  token?: string;
  request: CtlRequest;
}

const seg = encodeURIComponent;

/** A `key=value` value: a number or boolean when it reads as one, else the text. */
export function parseValue(text: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** The command line after `ctl`, as the call to make. Throws UsageError. */
export function parseCtl(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CtlInvocation {
  const args = [...argv];
  let url = env.FC41D_CONTROL_URL || DEFAULT_CONTROL_URL;
  let token = env.FC41D_CONTROL_TOKEN || undefined;
  while (args[0]?.startsWith('--')) {
    const flag = args.shift()!;
    const value = args.shift();
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--url') url = value;
    else if (flag === '--token') token = value;
    else throw new UsageError(`unknown option ${flag}\n${CTL_USAGE}`);
  }
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url: not a URL: ${url}`);
  }
  return { url, token, request: parseVerb(args) };
}

function parseVerb(args: string[]): CtlRequest {
  const [verb, ...rest] = args;
  const need = (n: number, what: string) => {
    if (rest.length < n) throw new UsageError(`${verb} needs ${what}\n${CTL_USAGE}`);
  };
  const index = (text: string | undefined) => {
    if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`expected a module index, got ${JSON.stringify(text ?? '')}`);
    return text;
  };
  switch (verb) {
    case 'modules':
      return { method: 'GET', path: '/api/modules' };
    case 'module':
      return { method: 'GET', path: `/api/modules/${index(rest[0])}` };
    case 'world':
      return { method: 'GET', path: '/api/world' };
    case 'reset':
    case 'power-cut':
    case 'power-on':
    case 'wake':
      return { method: 'POST', path: `/api/modules/${index(rest[0])}/${verb}` };
    case 'airkiss':
      need(2, '<i> <ssid> [key]');
      return { method: 'POST', path: `/api/modules/${index(rest[0])}/airkiss`, body: { ssid: rest[1], ...(rest[2] === undefined ? {} : { key: rest[2] }) } };
    case 'ap':
      return apVerb(rest);
    case 'host': {
      need(2, '<name> <address> or <name> remove');
      const path = `/api/world/hosts/${seg(rest[0]!)}`;
      return rest[1] === 'remove' ? { method: 'DELETE', path } : { method: 'PUT', path, body: rest[1] };
    }
    case 'fault':
      return faultVerb(rest);
    case 'trace':
      return traceVerb(rest);
    default:
      throw new UsageError(verb === undefined ? CTL_USAGE : `unknown verb ${JSON.stringify(verb)}\n${CTL_USAGE}`);
  }
}

function apVerb(rest: string[]): CtlRequest {
  const [ssid, what, value] = rest;
  if (ssid === undefined || what === undefined) throw new UsageError(`ap needs <ssid> and what to change\n${CTL_USAGE}`);
  const path = `/api/world/access-points/${seg(ssid)}`;
  const patch = (body: unknown): CtlRequest => ({ method: 'PATCH', path, body });
  const number = () => {
    if (value === undefined || !/^-?\d+$/.test(value)) throw new UsageError(`ap ${what} needs a number`);
    return Number(value);
  };
  switch (what) {
    case 'up':
      return patch({ up: true });
    case 'down':
      return patch({ up: false });
    case 'rssi':
      return patch({ rssi: number() });
    case 'channel':
      return patch({ channel: number() });
    case 'password':
      if (value === undefined) throw new UsageError('ap password needs the key');
      return patch({ password: value });
    case 'remove':
      return { method: 'DELETE', path };
    default:
      throw new UsageError(`ap: unknown change ${JSON.stringify(what)}\n${CTL_USAGE}`);
  }
}

function faultVerb(rest: string[]): CtlRequest {
  const [sub, ...more] = rest;
  if (sub === 'list') return { method: 'GET', path: '/api/faults' };
  if (sub === 'rm') {
    if (more[0] === undefined) throw new UsageError('fault rm needs the fault id (fault list shows them)');
    return { method: 'DELETE', path: `/api/faults/${seg(more[0])}` };
  }
  if (sub === 'add') {
    const [kind, ...pairs] = more;
    if (kind === undefined) throw new UsageError(`fault add needs a kind\n${CTL_USAGE}`);
    const body: Record<string, unknown> = { kind };
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`fault add: expected key=value, got ${JSON.stringify(pair)}`);
      body[pair.slice(0, eq)] = parseValue(pair.slice(eq + 1));
    }
    return { method: 'POST', path: '/api/faults', body };
  }
  throw new UsageError(`fault: expected add, list or rm\n${CTL_USAGE}`);
}

function traceVerb(rest: string[]): CtlRequest {
  const query = new URLSearchParams();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!.replace(/^--/, '');
    const value = rest[i + 1];
    if (!['module', 'since', 'until'].includes(name) || !rest[i]!.startsWith('--') || value === undefined)
      throw new UsageError(`trace takes --module <i>, --since <time>, --until <time>`);
    query.set(name, value);
  }
  const q = query.toString();
  return { method: 'GET', path: `/api/trace${q ? `?${q}` : ''}` };
}

/** Makes the call; prints the answer; returns the exit code. */
export async function runCtl(argv: readonly string[]): Promise<number> {
  const { url, token, request } = parseCtl(argv);
  const target = new URL(request.path, url);
  let res: Response;
  try {
    res = await fetch(target, {
      method: request.method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UsageError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const json = JSON.parse(text) as { error?: string; field?: string };
      message = json.error ?? text;
    } catch {
      // not JSON: say it as it came
    }
    process.stderr.write(`fc41d ctl: ${res.status} ${message}\n`);
    return 1;
  }
  if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
