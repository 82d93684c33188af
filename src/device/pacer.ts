/**
 * Optional pacing of module output at the configured UART baud rate (§2.1.7), as a byte
 * stream: while bytes wait, a tick at most 1 ms after the last releases the bytes the wire
 * could have carried since then, 10 bit times a byte (8N1). A chunk therefore starts to
 * arrive within a millisecond and keeps arriving at the line rate, as on a real wire.
 *
 * Push-back: holding more than PACER_BACKLOG_BYTES counts as a host that is not reading
 * (`backlogged`), so the module's services stop feeding it; `onWritable` says when it has
 * dropped back to the bound. An idle line saves no credit: after a pause the next byte
 * again takes its wire time.
 */
import type { Clock } from '../clock.ts';

/** Above this many waiting bytes the line counts as backed up (about 0.35 s at 115200 baud). */
export const PACER_BACKLOG_BYTES = 4096;
/** Bits on the wire per byte: start, 8 data, stop. */
const BITS_PER_BYTE = 10;

export class OutputPacer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Bytes the wire could have carried but that have not been released yet (fraction of one byte). */
  private credit = 0;
  private lastTick = 0;
  private timer: unknown = null;
  /** Bytes wait or a tick is delivering: the line is busy and keeps its timing. */
  private busy = false;

  constructor(
    private readonly clock: Clock,
    private readonly baud: () => number,
    private readonly deliver: (bytes: Buffer) => void,
    private readonly onWritable: () => void = () => {},
  ) {}

  /** Bytes waiting for the wire. */
  get queued(): number {
    return this.bytes;
  }

  /** Holding more than the bound: the host counts as not reading. */
  get backlogged(): boolean {
    return this.bytes > PACER_BACKLOG_BYTES;
  }

  send(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.bytes += bytes.length;
    this.start();
  }

  /** Bytes that go before everything waiting (output held while no host was attached). */
  prepend(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.unshift(bytes);
    this.bytes += bytes.length;
    this.start();
  }

  /** Power loss: what waits is gone. */
  clear(): void {
    const wasBacklogged = this.backlogged;
    this.chunks = [];
    this.bytes = 0;
    this.stop();
    if (wasBacklogged) this.onWritable();
  }

  private start(): void {
    if (this.busy) return;
    this.busy = true;
    this.lastTick = this.clock.now();
    this.credit = 0;
    this.schedule();
  }

  private stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.busy = false;
    this.credit = 0;
  }

  private bytesPerMs(): number {
    return this.baud() / BITS_PER_BYTE / 1000;
  }

  /** The next tick: in 1 ms, or when the next whole byte is through at a slow rate. */
  private schedule(): void {
    const ms = Math.max(1, Math.ceil((1 - this.credit) / this.bytesPerMs()));
    this.timer = this.clock.setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    this.timer = null;
    const now = this.clock.now();
    this.credit += (now - this.lastTick) * this.bytesPerMs();
    this.lastTick = now;
    const n = Math.min(Math.floor(this.credit), this.bytes);
    const wasBacklogged = this.backlogged;
    if (n > 0) {
      this.credit -= n;
      const out = this.take(n);
      this.deliver(out); // may send more (a host answering at once): those join the queue
    }
    if (wasBacklogged && !this.backlogged) this.onWritable();
    if (this.bytes === 0) this.stop();
    else if (this.timer === null && this.busy) this.schedule();
  }

  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const head = this.chunks[0];
      if (head.length <= left) {
        parts.push(head);
        this.chunks.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.bytes -= n;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}
