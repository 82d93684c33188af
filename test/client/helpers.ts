/**
 * Scaffolding for the AT client's tests: modules of the default world (hosts added for local
 * servers) behind each wire, wires the test controls (one byte at a time; output held back),
 * a local TCP echo server. Everything a test starts is undone by cleanUp() (afterEach).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { DEFAULT_WORLD, Fc41dModule, parseWorld, World, type ModuleOptions } from '../../src/index.ts';
import { connectClient, type AtClient, type ClientTarget, type ConnectOptions } from '../../src/client/index.ts';
import { openDuplex } from '../../src/transport/in-process.ts';
import { startPtyTransport } from '../../src/transport/pty.ts';
import { startTcpTransport } from '../../src/transport/tcp.ts';

/** Generous: the suite must pass on a loaded 2-core machine. */
export const T = 10_000;

const cleanups: (() => unknown)[] = [];
export async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}
export const later = (fn: () => unknown) => void cleanups.push(fn);

/** The default world (Office, key correct-horse), its hosts map naming local servers. */
export function world(hosts: Record<string, unknown> = {}): World {
  const w = new World(parseWorld({ ...DEFAULT_WORLD, hosts }, 'test world'));
  later(() => w.dispose());
  return w;
}

/** A module (factory echo on unless told), disposed after the test. */
export function module(opts: ModuleOptions = {}): Fc41dModule {
  const m = new Fc41dModule({ bootMs: 5, world: opts.world ?? world(), ...opts });
  later(() => m.dispose());
  return m;
}

/** A client, closed after the test. */
export async function client(target: ClientTarget, opts: ConnectOptions = {}): Promise<AtClient> {
  const c = await connectClient(target, { timeoutMs: T, ...opts });
  later(() => c.close());
  return c;
}

export async function overTcp(m: Fc41dModule): Promise<string> {
  const tcp = await startTcpTransport('127.0.0.1', 0, m);
  later(() => tcp.close());
  return `tcp:127.0.0.1:${tcp.address.port}`;
}

export async function overPty(m: Fc41dModule): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-client-'));
  later(() => rmSync(dir, { recursive: true, force: true }));
  const pty = await startPtyTransport(join(dir, 'ttyFC41D'), m);
  later(() => pty.close());
  return pty.path;
}

/**
 * The host's end of the module's UART, with the module's output in the test's hands: sent on
 * one byte per turn of the event loop (`dribble`), or held back until release().
 */
export function controlledWire(m: Fc41dModule, opts: { dribble?: boolean } = {}) {
  const inner = openDuplex(m);
  const held: Buffer[] = [];
  let holding = false;
  let pumping = false;
  const outer = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      inner.write(chunk, callback);
    },
    destroy(error, callback) {
      inner.destroy();
      callback(error);
    },
  });
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (held.length > 0 && !holding && !outer.destroyed) {
      const chunk = held.shift()!;
      if (!opts.dribble) outer.push(chunk);
      else
        for (const byte of chunk) {
          outer.push(Buffer.of(byte));
          await tick();
        }
    }
    pumping = false;
  };
  inner.on('data', (bytes: Buffer) => {
    held.push(bytes);
    void pump();
  });
  inner.on('error', () => {});
  return {
    duplex: outer,
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      void pump();
    },
  };
}

/** A TCP echo server on 127.0.0.1. */
export async function echoServer(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.setNoDelay(true);
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  later(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, sockets };
}

/** Joins Office (the default world's key) and waits for the address. */
export async function joinOffice(c: AtClient): Promise<void> {
  await c.expectOk('AT+QSTAAPINFO=Office,correct-horse');
  await c.waitUrc('+QSTASTAT:GOT_IP');
}
