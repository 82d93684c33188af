/**
 * BLE test scaffolding: worlds at timeScale 0 (radio events on 0 ms timers: no real waits), two
 * modules in one world named as `fc41d serve --count 2` names them, and a peripheral set up as in
 * example 4.2.1.1 or a central connected to it.
 */
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { createModule, type Fc41dModule, parseWorld, World } from '../../src/index.ts';
import { DEFAULT_WORLD } from '../../src/world/default-world.ts';
import { AtHost } from '../helpers/at-host.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { T, useModules } from '../helpers/wifi.ts';

/** Module 0 (`c8:47:8c:42:00:48`, BLE …49) and module 1 (`…4a`, BLE …4b) of `fc41d serve --count 2`. */
export const MAC_0 = 'c8:47:8c:42:00:48';
export const MAC_1 = 'c8:47:8c:42:00:4a';
export const BLE_0 = 'c8478c420049';
export const BLE_1 = 'c8478c42004b';

/** The default world's APs (Office, WPA2, `correct-horse`) at timeScale 0, plus `extra` (e.g. `ble.peers`). */
export function bleWorld(extra: Record<string, unknown> = {}, clock?: FakeClock): World {
  return new World(parseWorld({ accessPoints: DEFAULT_WORLD.accessPoints, timeScale: 0, ...extra }), clock);
}

/** A started module with its AT host (useModules' or clockedPair's). */
export interface BleModule {
  module: Fc41dModule;
  stream: Duplex;
  host: AtHost;
  at(line: string): Promise<{ lines: string[]; final: string }>;
  close(): void;
}

/** Registers the after-each cleanup; `pair(world)` starts module A (peripheral, MAC_1) and B (central, MAC_0). */
export function useBleModules() {
  const modules = useModules();
  return {
    ...modules,
    async pair(world: World = bleWorld()): Promise<{ a: BleModule; b: BleModule; world: World }> {
      const a = await modules.start(world, { mac: MAC_1, label: 'A' });
      const b = await modules.start(world, { mac: MAC_0, label: 'B' });
      return { a, b, world };
    },
  };
}

/** Sends `line` and checks the answer is just `final`. */
export async function expectAt(m: BleModule, line: string, final = 'OK'): Promise<void> {
  assert.deepEqual(await m.at(line), { lines: [], final }, line);
}

/** Example 4.2.1.1 on A: service fff1 with fff2 and fff3, advertising as QuecFC41D. */
export async function examplePeripheral(a: BleModule, name = 'QuecFC41D'): Promise<void> {
  for (const line of ['AT+QBLEINIT=2', `AT+QBLENAME=${name}`, 'AT+QBLEGATTSSRV=fff1', 'AT+QBLEGATTSCHAR=fff2', 'AT+QBLEGATTSCHAR=fff3', 'AT+QBLEADVPARAM=150,150', 'AT+QBLEADVSTART']) {
    await expectAt(a, line);
  }
}

/** The lines a central prints after AT+QBLECONN to example 4.2.1.1's peripheral (handles: docs/ble-medium.md). */
export const EXAMPLE_CONNECT_LINES = [
  '+QBLEMTU:<250>',
  '+QBLESTAT:CONNECTED',
  '+QBLEINFO: 3 2a05',
  '+QBLEINFO: 7 2a00',
  '+QBLEINFO: 9 2a01',
  '+QBLEINFO: 11 2aa6',
  '+QBLEINFO: 14 fff2',
  '+QBLEINFO: 17 fff3',
];

/** B connects to A (already advertising; by default example 4.2.1.1's table) and both see the connection. */
export async function connect(a: BleModule, b: BleModule, lastInfo = '+QBLEINFO: 17 fff3', address = BLE_1): Promise<void> {
  await expectAt(b, 'AT+QBLEINIT=1');
  await expectAt(b, `AT+QBLECONN=0,${address}`);
  await b.host.expect(`\r\n${lastInfo}\r\n`, T);
  await a.host.expect('\r\n+QBLESTAT:CONNECTED\r\n', T);
}

/** Exactly `text` comes next on `host` (raw data: no framing). */
export async function expectRaw(host: AtHost, text: string): Promise<void> {
  assert.equal(await host.expect(text, T), text);
}

/**
 * Modules A and B on a hand-driven clock (boot, the `+++` guard times) in a timeScale-0 world on
 * real time (the radio's 0 ms events run by themselves); closed by `close()`.
 */
export async function clockedPair(world: World = bleWorld()) {
  const clock = new FakeClock();
  const start = async (mac: string, label: string) => {
    const m = createModule({ bootMs: 5, echo: false, world, clock, mac, label });
    const host = new AtHost(m.stream);
    const at = (line: string) => host.command(line, T);
    return { ...m, host, at };
  };
  const a = await start(MAC_1, 'A');
  const b = await start(MAC_0, 'B');
  clock.advance(5);
  await a.host.expect('\r\nready\r\n', T);
  await b.host.expect('\r\nready\r\n', T);
  return {
    a,
    b,
    clock,
    world,
    close: () => {
      a.close();
      b.close();
    },
  };
}

/** Waits (a tick at a time, no timers) until `condition` holds. */
export async function until(condition: () => boolean, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + T;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
