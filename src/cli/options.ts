/** Parsing and loading of the CLI's option values; failures are one-line UsageErrors. */
import { readFileSync } from 'node:fs';

/** A bad option value or an unusable resource named on the command line: exit code 2. */
export class UsageError extends Error {}

export interface HostAndPort {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT`; port 0 asks for any free port. */
export function parseHostPort(value: string): HostAndPort {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError('expected HOST:PORT, e.g. 127.0.0.1:3333');
  return { host: m[1] ?? m[2], port };
}

/** Reads and JSON-parses the world file; validating it is the world's job. */
export function readWorld(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`world file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`world file ${path}: not valid JSON (${(e as Error).message})`);
  }
}
