/**
 * One module behind each kind of wire a host can use — in-process duplex, TCP, PTY — so a
 * behaviour test can run unchanged over every transport, as MQTT.js runs one suite per transport.
 */
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { ReadStream } from 'node:tty';
import type { Duplex } from 'node:stream';
import { Fc41dModule, type ModuleOptions } from '../../src/device/module.ts';
import { openDuplex } from '../../src/transport/in-process.ts';
import { startPtyTransport } from '../../src/transport/pty.ts';
import { startTcpTransport } from '../../src/transport/tcp.ts';
import { AtHost } from './at-host.ts';

export type WireKind = 'in-process' | 'tcp' | 'pty';
export const WIRES: readonly WireKind[] = ['in-process', 'tcp', 'pty'];

export interface Wired {
  module: Fc41dModule;
  host: AtHost;
  close(): Promise<void>;
}

/** A module with a host attached over `kind`; the host has read `ready`. */
export async function wired(kind: WireKind, opts: ModuleOptions, timeoutMs = 10_000): Promise<Wired> {
  const module = new Fc41dModule(opts);
  const closers: (() => unknown)[] = [];
  let stream: Duplex;
  if (kind === 'in-process') {
    stream = openDuplex(module);
  } else if (kind === 'tcp') {
    const tcp = await startTcpTransport('127.0.0.1', 0, module);
    closers.push(() => tcp.close());
    const socket = connect(tcp.address.port, tcp.address.host);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    stream = socket;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'fc41d-wire-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'tty');
    const pty = await startPtyTransport(path, module);
    closers.push(() => pty.close());
    // O_NOCTTY: not our controlling terminal; the bridge made the pty raw.
    stream = new ReadStream(openSync(path, constants.O_RDWR | constants.O_NOCTTY));
  }
  const host = new AtHost(stream);
  await host.expect('\r\nready\r\n', timeoutMs);
  return {
    module,
    host,
    close: async () => {
      stream.destroy();
      module.dispose();
      for (const fn of closers.reverse()) await fn();
    },
  };
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

/** A TCP server that records every byte it receives, from all its connections in turn. */
export async function recordingPeer() {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', (d: Buffer) => chunks.push(d));
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
