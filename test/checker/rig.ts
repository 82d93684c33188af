/**
 * What the checker tests start from: a real module on the in-process wire with a fake clock
 * (test/behaviour/setup.ts), a DriverChecker watching it, and a recording (optionally echoing) TCP peer the module can
 * reach as `peer.test` for data-mode and transparent-mode rules.
 */
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { DriverChecker, type Violation } from '../../src/checker/index.ts';
import type { ModuleOptions } from '../../src/index.ts';
import { recordingPeer, type Wired } from '../helpers/wires.ts';
import { splitLines } from '../helpers/at-host.ts';
import { FINAL, officeWorld, start, T, until } from '../behaviour/setup.ts';

export { FINAL, T, until };

export type Peer = Awaited<ReturnType<typeof recordingPeer>>;

export interface Rig {
  w: Wired;
  /** Sends a command line with the rig's line ending. */
  send(line: string): void;
  /** Sends a line and returns its lines, the final result last. */
  at(line: string): Promise<string[]>;
  checker: DriverChecker;
  peer: Peer;
  /** Rules reported so far (the checker keeps running). */
  rules(): string[];
}

/** Runs `body` with a booted module, a checker on it and a peer; closes all afterwards. */
export async function withChecker(
  body: (r: Rig) => Promise<void>,
  opts: { module?: ModuleOptions; retryPerSecond?: number; ending?: string; echoPeer?: boolean } = {},
): Promise<void> {
  const ending = opts.ending ?? '\r';
  const peer = await recordingPeer({ echo: opts.echoPeer });
  const w = await start('in-process', { world: officeWorld({ 'peer.test': '127.0.0.1' }), ...opts.module });
  const checker = new DriverChecker(w.module, { retryPerSecond: opts.retryPerSecond });
  try {
    const send = (line: string) => w.host.write(line + ending);
    const at = async (line: string) => {
      send(line);
      return splitLines(await w.host.expect(FINAL, T));
    };
    await body({ w, checker, peer, send, at, rules: () => checker.violations.map((v) => v.rule) });
    assert.deepEqual(checker.errors, [], 'the checker itself never failed');
  } finally {
    checker.finish();
    await w.close();
    await peer.close();
  }
}

/** Lets the module act on what the host wrote (its handlers are async), without moving the clock. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

/** Joins Office (the rig's line ending). */
export async function joinOffice(r: Rig): Promise<void> {
  r.send('AT+QSTAAPINFO=Office');
  await r.w.host.expect('+QSTASTAT:GOT_IP\r\n', T);
}

/** Joins Office and opens socket 0 to the peer in `mode` (0 buffer, 1 direct push, 2 transparent). */
export async function openSocket(r: Rig, mode: 0 | 1 | 2 = 0): Promise<void> {
  await joinOffice(r);
  r.send(`AT+QIOPEN=0,"TCP","peer.test",${r.peer.port},0,${mode}`);
  if (mode === 2) await r.w.host.expect('\r\nCONNECT\r\n', T);
  else await r.w.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
  await until(() => r.peer.sockets.length === 1, 'the peer to accept');
}

/** The violations of one rule. */
export function only(violations: readonly Violation[], rule: string): Violation[] {
  return violations.filter((v) => v.rule === rule);
}
