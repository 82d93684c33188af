/**
 * What every behaviour test starts from: a module behind one wire (test/helpers/wires.ts), in a
 * world with an open AP so it can get an address, driven by a fake clock where the wire allows
 * (in-process) and by real time with a short `+++` guard time elsewhere.
 */
import { type ModuleOptions, parseWorld, World } from '../../src/index.ts';
import { splitLines } from '../helpers/at-host.ts';
import { wired, type WireKind, type Wired } from '../helpers/wires.ts';

/** Generous: the suite must pass on a loaded 2-core machine. */
export const T = 10_000;
/** The `+++` guard time over the wires that keep real time; in-process uses the manual's 1000 ms. */
export const REAL_GUARD_MS = 50;
/** A command's final result, framed. */
export const FINAL = /\r\n(OK|ERROR|SEND OK|SEND FAIL|CONNECT|NO CARRIER)\r\n/;
/** `+QVERSION:` and `+QWLMAC:` of a default module (FIDELITY.md). */
export const VERSION = '+QVERSION:FC41DAAR03A09M02.bin_202406260343';
export const WLMAC = '+QWLMAC:c8:47:8c:42:00:48';

/** A world with the open AP `Office`; `hosts` names the test's servers. Radio delays at 1/100. */
export function officeWorld(hosts: Record<string, string> = {}): World {
  return new World(parseWorld({ timeScale: 0.01, hosts, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
}

/** A booted module over `kind` (the host has read `ready`); echo off unless `opts` says otherwise. */
export function start(kind: WireKind, opts: ModuleOptions = {}): Promise<Wired> {
  const guardMs = kind === 'in-process' ? undefined : REAL_GUARD_MS;
  return wired(kind, { bootMs: 5, echo: false, world: officeWorld(), guardMs, ...opts }, T, { fakeClock: true });
}

/** Sends a line ending in CR and returns its lines, the final result last. */
export async function at(w: Wired, line: string): Promise<string[]> {
  w.host.send(line);
  return splitLines(await w.host.expect(FINAL, T));
}

/** Joins `Office` and waits for the address. */
export async function join(w: Wired): Promise<void> {
  w.host.send('AT+QSTAAPINFO=Office');
  await w.host.expect('+QSTASTAT:GOT_IP\r\n', T);
}

/** Waits (real time) until `cond` holds. */
export async function until(cond: () => boolean, what: string, timeoutMs = T): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Runs `body` with a started module, closing it afterwards. */
export async function withModule(kind: WireKind, opts: ModuleOptions, body: (w: Wired) => Promise<void>): Promise<void> {
  const w = await start(kind, opts);
  try {
    await body(w);
  } finally {
    await w.close();
  }
}
