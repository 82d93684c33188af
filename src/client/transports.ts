/**
 * Opening the wire to a module: a TCP address, a device path (a real serial port or a PTY), a
 * stream the caller holds, or a module of this process. Bytes only; no AT here.
 */
import { execFile } from 'node:child_process';
import { constants, createReadStream, createWriteStream, openSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { isatty, ReadStream as TtyStream } from 'node:tty';
import { promisify } from 'node:util';
import { openDuplex } from '../transport/in-process.ts';
import type { ClientTarget } from './types.ts';

export interface Link {
  stream: Duplex;
  /** Releases the wire (the caller's own duplex is destroyed too; a module is only detached). */
  close(): Promise<void>;
}

const DEFAULT_BAUD = 115_200;

export async function openTarget(target: ClientTarget, opts: { baud?: number; timeoutMs?: number } = {}): Promise<Link> {
  if (typeof target !== 'string') {
    const stream = 'duplex' in target ? target.duplex : openDuplex(target.module);
    return { stream, close: () => destroy(stream) };
  }
  const address = parseAddress(target);
  if (address) return openTcp(address.host, address.port, opts.timeoutMs ?? 10_000);
  return openDevice(target, opts.baud ?? DEFAULT_BAUD);
}

/** `tcp:HOST:PORT`, `HOST:PORT`, `[::1]:PORT`; null for a path. */
export function parseAddress(target: string): { host: string; port: number } | null {
  const text = target.startsWith('tcp:') ? target.slice(4) : target;
  if (text.includes('/')) return null;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!m) {
    if (target.startsWith('tcp:')) throw new Error(`bad TCP address ${JSON.stringify(target)}: want tcp:HOST:PORT`);
    return null;
  }
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}

async function openTcp(host: string, port: number, timeoutMs: number): Promise<Link> {
  const socket = connect({ host, port });
  socket.setNoDelay(true); // AT round trips are tiny: no Nagle delay
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp ${host}:${port}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => (clearTimeout(timer), socket.off('error', reject), resolve()));
    socket.once('error', (e) => (clearTimeout(timer), reject(e)));
  });
  return { stream: socket, close: () => destroy(socket) };
}

/**
 * A serial device or PTY. A tty is set raw at `baud` with stty first (no native serial
 * library needed) and read through a tty stream: an fs read stream on a tty would park a
 * thread-pool thread in a blocking read() that close() cannot end. Anything else that is
 * not a tty (a FIFO) is read and written with fs streams.
 */
async function openDevice(path: string, baud: number): Promise<Link> {
  // O_NONBLOCK: opening a serial port must not wait for carrier detect; O_NOCTTY: never our terminal.
  let fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  if (isatty(fd)) {
    try {
      await promisify(execFile)('stty', ['-F', path, String(baud), 'raw', '-echo']);
    } catch (e) {
      closeSync(fd);
      throw new Error(`stty ${path} ${baud}: ${(e as Error).message}`, { cause: e });
    }
    const stream = new TtyStream(fd);
    return { stream, close: () => destroy(stream) };
  }
  closeSync(fd); // fs streams want blocking reads
  fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  const readable = createReadStream('', { fd, autoClose: false });
  const writable = createWriteStream('', { fd, autoClose: false });
  const stream = Duplex.from({ readable, writable });
  return {
    stream,
    close: async () => {
      await destroy(stream);
      readable.destroy();
      writable.destroy();
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}

async function destroy(stream: Duplex): Promise<void> {
  if (stream.destroyed) return;
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.destroy();
  // A stream that never emits 'close' (emitClose: false) must not hang close().
  await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 200).unref())]);
}
