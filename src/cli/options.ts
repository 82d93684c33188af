/** Parsing and loading of the CLI's option values; failures are one-line UsageErrors. */
import { readFileSync } from 'node:fs';
import { normaliseUuid } from '../world/ble/ids.ts';
import { parseWorld, type WorldConfig } from '../world/schema.ts';

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

/** `on` or `off` (e.g. `--echo`). */
export function parseOnOff(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'on' || v === '1') return true;
  if (v === 'off' || v === '0') return false;
  throw new UsageError(`expected on or off, got ${JSON.stringify(value)}`);
}

/** An integer option in [min, max], e.g. `--count`, a port. */
export function parseIntIn(value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** `SERVICE,WRITE,NOTIFY`: the UUIDs of Wi-Fi configuration over BLE (AT+QBLEINIT=3), e.g. `ff00,ff01,ff02`. */
export function parseBleConfigUuids(value: string): { service: string; write: string; notify: string } {
  const uuids = value.split(',').map((v) => normaliseUuid(v.trim()));
  if (uuids.length !== 3 || uuids.some((u) => u === undefined)) {
    throw new UsageError(`expected three UUIDs SERVICE,WRITE,NOTIFY (4 or 32 hex digits each), got ${JSON.stringify(value)}`);
  }
  const [service, write, notify] = uuids as string[];
  if (write === notify) throw new UsageError('the write and notify characteristics need different UUIDs');
  return { service, write, notify };
}

/** Reads the world file and validates it; the message names the file and each offending field. */
export function loadWorldConfig(path: string): WorldConfig {
  const json = readWorld(path);
  try {
    return parseWorld(json, `world file ${path}`);
  } catch (e) {
    throw new UsageError(oneLine((e as Error).message));
  }
}

/** zod's pretty error ("✖ Too big…\n  → at accessPoints[0].rssi") as one line: "accessPoints[0].rssi: Too big…; …". */
function oneLine(message: string): string {
  return message
    .replace(/✖ ([^\n]*)\n\s*→ at ([^\n]*)/g, '$2: $1')
    .replace(/✖ /g, '')
    .replace(/\s*\n\s*/g, '; ');
}

/** Reads and JSON-parses the world file (loadWorldConfig validates it). */
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
