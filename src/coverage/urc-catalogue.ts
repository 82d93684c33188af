/**
 * Every URC the module can put out, by group, for the coverage summary. The groups format their
 * URCs in code (each group's reports.ts, and a few in its commands.ts) and keep no structured list,
 * so this is a static list of those call sites; test/coverage/urc-catalogue.test.ts reads the
 * sources and fails when a group gains a URC prefix or keyword that is missing here.
 *
 * Entries are kept as parts (prefix, separator, keyword) rather than whole lines: the key a
 * report uses is built from them by the same function that keys a URC seen on the wire.
 */

export interface UrcEntry {
  /** `+QIURC` */
  prefix: string;
  /** What follows the prefix: a colon and a space for most, a bare colon for +QSTASTAT and +QBLESTAT (FIDELITY.md). */
  sep: ': ' | ':';
  /** The first parameter when it names the event (`"recv"`, `GOT_IP`): a URC of its own in the summary. */
  keyword?: string;
  group: string;
}

/** How the first parameter of a keyed prefix reads: in quotes (`"recv"`) or bare (`GOT_IP`). */
const KEYED: ReadonlyMap<string, 'quoted' | 'bare'> = new Map([
  ['+QIURC', 'quoted'],
  ['+QSSLURC', 'quoted'],
  ['+QHTTPURC', 'quoted'],
  ['+QSTASTAT', 'bare'],
  ['+QBLESTAT', 'bare'],
]);

const entry = (group: string, prefix: string, sep: ': ' | ':', ...keywords: string[]): UrcEntry[] =>
  keywords.length === 0 ? [{ prefix, sep, group }] : keywords.map((keyword) => ({ prefix, sep, keyword, group }));

export const URC_CATALOGUE: readonly UrcEntry[] = [
  // Wi-Fi, §3.1 (src/wifi/reports.ts; the events of src/wifi/station.ts)
  ...entry('wifi', '+QSTASTAT', ':', 'WLAN_CONNECTED', 'WLAN_DISCONNECTED', 'GOT_IP', 'SCAN_NO_AP'),
  // BLE, §3.2 (src/ble/reports.ts)
  ...entry('ble', '+QBLESCAN', ':'),
  ...entry('ble', '+QBLEMTU', ':'),
  ...entry('ble', '+QBLESTAT', ':', 'CONNECTED', 'DISCONNECTED'),
  ...entry('ble', '+QBLEINFO', ': '),
  // TCP/IP, §3.3 (src/tcpip/reports.ts, commands.ts)
  ...entry('tcpip', '+QIOPEN', ': '),
  ...entry('tcpip', '+QIURC', ': ', '"recv"', '"closed"', '"incoming"', '"accept"', '"incoming full"'),
  // SSL, §3.4 (src/tcpip/reports.ts for SSL clients, src/ssl/commands.ts)
  ...entry('ssl', '+QSSLOPEN', ': '),
  ...entry('ssl', '+QSSLURC', ': ', '"recv"', '"closed"'),
  // MQTT, §3.5 (src/mqtt/reports.ts)
  ...entry('mqtt', '+QMTOPEN', ': '),
  ...entry('mqtt', '+QMTCONN', ': '),
  ...entry('mqtt', '+QMTSUB', ': '),
  ...entry('mqtt', '+QMTUNS', ': '),
  ...entry('mqtt', '+QMTPUB', ': '),
  ...entry('mqtt', '+QMTDISC', ': '),
  ...entry('mqtt', '+QMTCLOSE', ': '),
  ...entry('mqtt', '+QMTSTAT', ': '),
  ...entry('mqtt', '+QMTRECV', ': '),
  // HTTP, §3.6 (src/http/reports.ts, commands.ts)
  ...entry('http', '+QHTTPGET', ': '),
  ...entry('http', '+QHTTPPOST', ': '),
  ...entry('http', '+QHTTPPUT', ': '),
  ...entry('http', '+QHTTPREAD', ': '),
  ...entry('http', '+QHTTPURC', ': ', '"recv"'),
];

/** A catalogue entry's key, as reports count it. */
export function catalogueKey(e: UrcEntry): string {
  return e.keyword === undefined ? e.prefix : `${e.prefix}${e.sep}${e.keyword}`;
}

/**
 * URCs that carry the deferred result of the command of the same name (the command answered OK,
 * the outcome comes later): which parameter holds the result code. `+QIOPEN: 0,551` is AT+QIOPEN's
 * outcome 551; `+QMTPUB: 0,1,1,2` (a retransmission) is AT+QMTPUB's outcome 1, as the manual lists it.
 */
const RESULT_FIELD: ReadonlyMap<string, number> = new Map([
  ['+QIOPEN', 1],
  ['+QSSLOPEN', 1],
  ['+QMTOPEN', 1],
  ['+QMTCONN', 1],
  ['+QMTSUB', 2],
  ['+QMTUNS', 2],
  ['+QMTPUB', 2],
  ['+QMTDISC', 1],
  ['+QMTCLOSE', 1],
  ['+QHTTPGET', 0],
  ['+QHTTPPOST', 0],
  ['+QHTTPPUT', 0],
  ['+QHTTPREAD', 0],
]);

const URC_LINE = /^(\+[A-Z][A-Z0-9_]*)(:\s?)(.*)$/s;

/**
 * The key a URC line counts under: its prefix, with its first parameter when that names the
 * event (a keyed prefix above, or any unlisted prefix whose first parameter is quoted). Null for
 * what is not a `+NAME:` line (raw BLE data goes out the same way as URCs).
 */
export function urcKey(line: string): string | null {
  const m = URC_LINE.exec(line);
  if (!m) return null;
  const [, prefix, sep, rest] = m;
  const keyed = KEYED.get(prefix) ?? (rest.startsWith('"') ? 'quoted' : undefined);
  if (keyed === 'quoted') {
    const quoted = /^"[^"]*"/.exec(rest);
    if (quoted) return `${prefix}${sep}${quoted[0]}`;
  } else if (keyed === 'bare') {
    const word = /^[^,\s]+/.exec(rest);
    if (word) return `${prefix}${sep}${word[0]}`;
  }
  return prefix;
}

/** For a URC that reports a command's deferred result: the command's name (`AT+QIOPEN`) and the result code. */
export function deferredResult(line: string): { command: string; outcome: string } | null {
  const m = URC_LINE.exec(line);
  if (!m) return null;
  const field = RESULT_FIELD.get(m[1]);
  if (field === undefined) return null;
  const value = m[3].split(',')[field]?.trim();
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return { command: `AT${m[1]}`, outcome: value };
}
