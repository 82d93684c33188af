/**
 * Output the module produced while no host was attached (a port probe came and went, the
 * host firmware has not connected yet): kept, as the UART's transmit buffer would keep it
 * with nobody asserting RTS, and read by the next host — so the `ready` a probe's connection
 * powered up is not lost to it.
 *
 * Bounded at HELD_OUTPUT_BYTES. Network data never needs it (with no host the module counts
 * as backed up, so sockets stop being read and TCP pushes back on the peers); only what the
 * module says itself lands here: `ready`, URCs. A chunk that does not fit is refused whole
 * (never half a URC), and the module counts it lost in the trace.
 */

/** 16 KiB: far more than `ready` and the URCs of a boot, small enough to be a UART buffer. */
export const HELD_OUTPUT_BYTES = 16 * 1024;

export class HeldOutput {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly limit = HELD_OUTPUT_BYTES) {}

  get size(): number {
    return this.bytes;
  }

  /** Keeps the chunk; false (and keeps nothing of it) when it does not fit. */
  push(chunk: Buffer): boolean {
    if (this.bytes + chunk.length > this.limit) return false;
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    return true;
  }

  /** Everything held, oldest first; empties the buffer. */
  take(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.clear();
    return all;
  }

  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }
}
