/** Reading the text of response lines: names, quote-aware fields, URCs. */
import type { Urc } from './types.ts';
import { BARE_URCS } from './words.ts';

/** `+QSTASTAT` of `+QSTASTAT:GOT_IP`; null for a line that is not `+NAME:…`. */
export function lineName(line: string): string | null {
  const m = /^(\+[A-Za-z0-9_]+):/.exec(line);
  return m ? m[1] : null;
}

/** A line that reads as a URC: `+NAME:…`, or a known bare one (`ready`). */
export function isUrcLine(line: string): boolean {
  return lineName(line) !== null || BARE_URCS.has(line);
}

/** The name a command's own answers carry: `AT+QIRD=0,5` → `+QIRD`, `ATE0` → `E`, `AT` → ``. */
export function commandName(line: string): string {
  const m = /^AT([+&%$#^][A-Za-z0-9_]+|[A-Za-z])?/i.exec(line.trim());
  return (m?.[1] ?? '').toUpperCase();
}

/**
 * Fields split at commas outside double quotes; quotes come off, and unquoted fields are
 * trimmed (real scans print `<bssid> ,<channel>`). `"recv",0,5` → ['recv', '0', '5'].
 */
export function splitParams(text: string): string[] {
  if (text.trim() === '') return [];
  const out: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      wasQuoted = true;
    } else if (ch === ',' && !quoted) {
      out.push(wasQuoted ? field : field.trim());
      field = '';
      wasQuoted = false;
    } else field += ch;
  }
  out.push(wasQuoted ? field : field.trim());
  return out;
}

/** A URC line as a typed record; `data` is counted data that came with it. */
export function parseUrc(line: string, data?: Buffer): Urc {
  const name = lineName(line);
  if (name === null) return { name: line, params: [], line, ...(data ? { data } : {}) };
  const rest = line.slice(name.length + 1).replace(/^ /, '');
  const params = name === '+QMTRECV' && data ? mqttRecvParams(rest, data) : splitParams(rest);
  return { name, params, line, ...(data ? { data } : {}) };
}

/** `0,1,"topic",5,"<payload>"`: the payload is raw (quotes and commas in it are its own). */
function mqttRecvParams(rest: string, data: Buffer): string[] {
  const m = /^(\d+),(\d+),"([^"]*)",(\d+),"/.exec(rest);
  if (!m) return splitParams(rest);
  return [m[1], m[2], m[3], m[4], data.toString('utf8')];
}
