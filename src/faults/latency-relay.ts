/**
 * The `latency` fault's relay: bytes between two sockets, each way delayed by `delayMs` and paced
 * to `bandwidth` bytes/s (a link model: serialisation at the bandwidth, then the one-way delay).
 * Push-back, never unbounded buffering: past HIGH_WATER bytes in flight one way, the reading side
 * pauses (TCP flow control reaches the sender) until the queue drains to half. A FIN is delayed
 * like data; a reset or an error on one side resets the other.
 */
import type net from 'node:net';
import type { Clock } from '../clock.ts';
import { resetSocket } from './loopback-pair.ts';

export interface Pace {
  delayMs: number;
  /** Bytes per second; absent: no cap. */
  bandwidth?: number;
  clock: Clock;
}

const HIGH_WATER = 64 * 1024;

/** Relays a ↔ b with the pace both ways; each socket's end or reset reaches the other. */
export function delayedRelay(a: net.Socket, b: net.Socket, pace: Pace): void {
  const stopAB = delayedStream(a, b, pace);
  const stopBA = delayedStream(b, a, pace);
  const closed = (from: net.Socket, to: net.Socket, stopInto: () => void, stopOut: () => void) => (hadError: boolean) => {
    stopInto(); // nothing more can be written to `from`
    if (hadError || !from.readableEnded) {
      // Reset or error: passed on at once as a reset; what was still on its way is lost.
      stopOut();
      resetSocket(to);
    }
    // A clean close: its FIN is queued behind its last bytes and ends `to` in time.
  };
  a.once('close', closed(a, b, stopBA, stopAB));
  b.once('close', closed(b, a, stopAB, stopBA));
}

/** One direction; returns a stop function (drops what is still queued). */
function delayedStream(from: net.Socket, to: net.Socket, pace: Pace): () => void {
  const { clock, delayMs, bandwidth } = pace;
  const queue: { at: number; data: Buffer | null }[] = [];
  let queued = 0;
  /** When the paced link is free to start the next byte. */
  let linkFree = 0;
  let timer: unknown = null;
  let waitingDrain = false;
  let stopped = false;
  const piece = bandwidth ? Math.max(1, Math.min(16 * 1024, Math.floor(bandwidth / 50))) : Infinity;

  const schedule = (): void => {
    if (stopped || timer !== null || waitingDrain || queue.length === 0) return;
    timer = clock.setTimeout(pump, Math.max(0, queue[0]!.at - clock.now()));
  };
  const pump = (): void => {
    timer = null;
    while (!stopped && queue.length > 0 && queue[0]!.at <= clock.now()) {
      const { data } = queue.shift()!;
      if (data === null) {
        if (!to.destroyed) to.end(); // (autoDestroy closes it once both ways are over)
        continue;
      }
      queued -= data.length;
      if (to.destroyed || !to.writable) continue;
      if (!to.write(data)) {
        waitingDrain = true;
        to.once('drain', () => {
          waitingDrain = false;
          pump();
        });
        break;
      }
    }
    if (queued < HIGH_WATER / 2 && from.isPaused() && !stopped) from.resume();
    schedule();
  };
  const enqueue = (data: Buffer | null): void => {
    const now = clock.now();
    if (data === null) {
      queue.push({ at: Math.max(now + delayMs, queue.at(-1)?.at ?? 0), data });
    } else {
      for (let i = 0; i < data.length; i += piece === Infinity ? data.length : piece) {
        const part = piece === Infinity ? data : data.subarray(i, i + piece);
        const start = Math.max(now, linkFree);
        linkFree = start + (bandwidth ? (part.length * 1000) / bandwidth : 0);
        queue.push({ at: linkFree + delayMs, data: part });
        queued += part.length;
      }
      if (queued > HIGH_WATER) from.pause();
    }
    schedule();
  };
  from.on('data', (chunk: Buffer) => enqueue(chunk));
  from.once('end', () => enqueue(null));
  return () => {
    stopped = true;
    if (timer !== null) clock.clearTimeout(timer);
    queue.length = 0;
  };
}
