/**
 * One module behind each kind of wire a host can use — in-process duplex, TCP, PTY — so a
 * behaviour test can run unchanged over every transport, as MQTT.js runs one suite per transport.
 */
import { accessSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { ReadStream } from 'node:tty';
import type { Duplex } from 'node:stream';
import { Fc41dModule, type ModuleOptions } from '../../src/index.ts';
import { openDuplex } from '../../src/transport/in-process.ts';
import { startPtyTransport } from '../../src/transport/pty.ts';
import { startTcpTransport } from '../../src/transport/tcp.ts';
import { AtHost } from './at-host.ts';
import { FakeClock } from './fake-clock.ts';

export type WireKind = 'in-process' | 'tcp' | 'pty';
export const WIRES: readonly WireKind[] = ['in-process', 'tcp', 'pty'];

/** The boot time when a test gives none (ModuleOptions.bootMs defaults to 100 ms). */
const DEFAULT_BOOT_MS = 100;
/** The manual's `+++` guard time (§2.3.11), the module's default. */
const DEFAULT_GUARD_MS = 1000;

export interface WireOptions {
  /**
   * Drive the module's timers (boot, `+++` guard times, data-mode and transparent-mode waits)
   * by hand with a FakeClock. Only the in-process wire can: over TCP and a PTY the bytes cross
   * real sockets and a bridge process, so those wires keep real time (give them a short guardMs).
   */
  fakeClock?: boolean;
}

/** A module behind a transport: hosts connect to it (and leave) as they would to the real wire. */
export interface Wire {
  readonly kind: WireKind;
  readonly module: Fc41dModule;
  /** The module's clock when it is driven by hand (in-process with `fakeClock`), else null. */
  readonly clock: FakeClock | null;
  /** A new host on the wire: a duplex, a TCP connection, or an open of the PTY device. */
  connect(): Promise<AtHost>;
  /** Lets `ms` of time pass: advances the fake clock, or sleeps a little longer than `ms`. */
  pause(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Under CI the PTY wire must run through socat (.ci/run installs it), never a fallback or a skip. */
function requireSocatUnderCi(): void {
  if (!process.env.CI) return; // locally without socat, the transport's python bridge stands in
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, 'socat'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error('socat is not on PATH; CI must install socat');
}

/** A module behind `kind`, powered up by its first host (TCP, in-process) or by the bridge (PTY). */
export async function wire(kind: WireKind, opts: ModuleOptions, wireOpts: WireOptions = {}): Promise<Wire> {
  const clock = wireOpts.fakeClock && kind === 'in-process' ? new FakeClock() : null;
  const module = new Fc41dModule(clock ? { ...opts, clock } : opts);
  const closers: (() => unknown)[] = [];
  const streams: Duplex[] = [];
  let open: () => Promise<Duplex>;
  if (kind === 'in-process') {
    open = async () => openDuplex(module);
  } else if (kind === 'tcp') {
    const tcp = await startTcpTransport('127.0.0.1', 0, module);
    closers.push(() => tcp.close());
    open = async () => {
      const socket = connect(tcp.address.port, tcp.address.host);
      socket.setNoDelay(true);
      socket.on('error', () => {});
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      return socket;
    };
  } else {
    requireSocatUnderCi();
    const dir = mkdtempSync(join(tmpdir(), 'fc41d-wire-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'tty');
    const pty = await startPtyTransport(path, module);
    closers.push(() => pty.close());
    // O_NOCTTY: not our controlling terminal; the bridge made the pty raw.
    open = async () => new ReadStream(openSync(path, constants.O_RDWR | constants.O_NOCTTY));
  }
  return {
    kind,
    module,
    clock,
    connect: async () => {
      const stream = await open();
      streams.push(stream);
      return new AtHost(stream);
    },
    pause: async (ms) => {
      if (!clock) {
        // Bytes cross a socket or a bridge on their way: leave a margin so the module sees `ms`.
        await new Promise((r) => setTimeout(r, ms * 1.5 + 20));
        return;
      }
      await tick(); // what the host wrote reaches the module first
      clock.advance(ms);
      await tick(); // and what the module said reaches the host
    },
    close: async () => {
      for (const stream of streams) stream.destroy();
      module.dispose();
      for (const fn of closers.reverse()) await fn();
    },
  };
}

export interface Wired extends Wire {
  /** The host that read `ready`. */
  host: AtHost;
  /** The `+++` guard time the module uses (§2.3.11). */
  guardMs: number;
}

/** A module with a host attached over `kind`; the host has read `ready`. */
export async function wired(kind: WireKind, opts: ModuleOptions, timeoutMs = 10_000, wireOpts: WireOptions = {}): Promise<Wired> {
  const w = await wire(kind, opts, wireOpts);
  const host = await w.connect();
  if (w.clock) await w.pause(opts.bootMs ?? DEFAULT_BOOT_MS);
  await host.expect('\r\nready\r\n', timeoutMs);
  return Object.assign(w, { host, guardMs: opts.guardMs ?? DEFAULT_GUARD_MS });
}

/** Writes text (latin1) in one write, or one byte per write with a turn of the event loop between. */
export async function writeAs(host: AtHost, text: string | Buffer, bytewise: boolean): Promise<void> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  if (!bytewise) return host.write(bytes);
  for (const b of bytes) {
    host.write(Buffer.of(b));
    await tick();
  }
}

/** A TCP server that records every byte it receives, from all its connections in turn; `echo` sends each back. */
export async function recordingPeer(opts: { echo?: boolean } = {}) {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.setNoDelay(true);
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.echo) s.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    get received(): Buffer {
      return Buffer.concat(chunks);
    },
    clear: () => void chunks.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
