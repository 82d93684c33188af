/**
 * Wi-Fi test scaffolding: worlds at test speed, booted modules that are closed after each
 * test, reading URC lines (or their absence), and the station's URC and result formats.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { type AccessPointInput, createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost, splitLines } from './at-host.ts';

/** The world's time scale in these tests: a 3000 ms retry takes 60 ms. */
export const SCALE = 0.02;
/** Generous: the suite must pass on a loaded 2-core machine. */
export const T = 10_000;
/** Long enough for several retries (3000 ms × SCALE = 60 ms each). */
export const RETRIES_MS = 400;

export const CONNECTED = '+QSTASTAT:WLAN_CONNECTED';
export const DISCONNECTED = '+QSTASTAT:WLAN_DISCONNECTED';
export const GOT_IP = '+QSTASTAT:GOT_IP';
export const NO_AP = '+QSTASTAT:SCAN_NO_AP';
/** AT+QGETIP's line without an address. */
export const ZEROS = '+QGETIP:ip:0.0.0.0,gateway:0.0.0.0,mask:0.0.0.0,dns:0.0.0.0';
/** A command's answer that is just OK / just ERROR. */
export const OK = { lines: [], final: 'OK' };
export const ERROR = { lines: [], final: 'ERROR' };

/** A world of `accessPoints` running at `timeScale`. */
export function makeWorld(accessPoints: AccessPointInput[] = [], timeScale = SCALE): World {
  return new World(parseWorld({ accessPoints, timeScale }));
}

/** How a test file names the modules it starts without an explicit MAC or label. */
export interface Naming {
  /** The generated MAC is this prefix and the module's number as two hex digits, e.g. `02:5a:00:00:00:`. */
  macPrefix: string;
  /** The generated label is `${labelPrefix} ${number}`. */
  labelPrefix: string;
  /** Send commands as UTF-8 and read the answer lines back as UTF-8 (for non-ASCII SSIDs). */
  utf8?: boolean;
}

export interface StartOptions {
  mac?: string;
  label?: string;
  flashPath?: string;
}

/** A module with its AT host, and `at(line)` sending a command and returning its answer. */
export type Module = ReturnType<ReturnType<typeof useModules>['power']>;

/**
 * Registers an afterEach in the calling test file that closes every module started during
 * the test, and returns the functions that start them. Without `naming`, a module missing an
 * explicit MAC or label gets createModule's defaults; every call counts towards the number.
 */
export function useModules(naming?: Naming) {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanups.splice(0).reverse()) fn();
  });
  let count = 0;

  /** A module in `world`, not yet waited for; closed after the test. */
  function power(world: World, opts: StartOptions = {}) {
    count++;
    const mac = opts.mac ?? (naming && `${naming.macPrefix}${count.toString(16).padStart(2, '0')}`);
    const label = opts.label ?? (naming && `${naming.labelPrefix} ${count}`);
    const m = createModule({
      bootMs: 5,
      echo: false,
      world,
      ...(mac === undefined ? {} : { mac }),
      ...(label === undefined ? {} : { label }),
      ...(opts.flashPath === undefined ? {} : { flashPath: opts.flashPath }),
    });
    cleanups.push(() => m.close());
    const host = new AtHost(m.stream);
    const at = naming?.utf8 ? (line: string) => utf8Command(host, line) : (line: string) => host.command(line, T);
    return { ...m, host, at };
  }

  /** A module in `world`, booted (after `ready`), closed after the test. */
  async function start(world: World, opts: StartOptions = {}) {
    const m = power(world, opts);
    await m.host.expect('\r\nready\r\n', T);
    return m;
  }

  return { power, start };
}

/** Sends a line (UTF-8) and returns its information lines and final result. */
async function utf8Command(host: AtHost, line: string): Promise<{ lines: string[]; final: string }> {
  host.write(Buffer.from(`${line}\r`, 'utf8'));
  const all = splitLines(await host.expect(/\r\n(OK|ERROR)\r\n/, T)).map((l) => Buffer.from(l, 'latin1').toString('utf8'));
  return { lines: all.slice(0, -1), final: all[all.length - 1] };
}

/** The next `n` framed lines, exactly. */
export async function lines(host: AtHost, n: number): Promise<string[]> {
  return splitLines(await host.expect(new RegExp(`^(?:\\r\\n[^\\r\\n]+\\r\\n){${n}}`), T));
}

/** Nothing at all may come for `ms`. */
export async function silence(host: AtHost, ms = RETRIES_MS): Promise<void> {
  assert.deepEqual(splitLines(await host.collect(ms)), []);
}

/** What came during `ms`, as lines. */
export async function during(host: AtHost, ms = RETRIES_MS): Promise<string[]> {
  return splitLines(await host.collect(ms));
}
