/**
 * A socket's bounded receive buffer. TCP (stream): bytes in order, never dropped; the TCP link
 * only takes from the peer what fits (`space`), so the peer is pushed back. UDP (datagrams):
 * each datagram keeps its boundary and sender; one that does not fit is dropped and counted.
 */
import type { Endpoint, Received, RecvCounters } from './types.ts';

export class RecvBuffer {
  private readonly chunks: Received[] = [];
  private buffered = 0;
  private total = 0;
  private taken = 0;
  private droppedDatagrams = 0;
  private droppedBytes = 0;

  constructor(
    readonly capacity: number,
    readonly datagrams: boolean,
  ) {}

  get unread(): number {
    return this.buffered;
  }

  /** Bytes that still fit. */
  get space(): number {
    return Math.max(0, this.capacity - this.buffered);
  }

  /** Stream bytes (the caller takes no more than `space`). */
  push(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push({ data });
    this.buffered += data.length;
    this.total += data.length;
  }

  /** A datagram; false when it was dropped because it does not fit. Empty datagrams are ignored. */
  pushDatagram(data: Buffer, from: Endpoint): boolean {
    if (data.length === 0) return true;
    if (data.length > this.space) {
      this.droppedDatagrams++;
      this.droppedBytes += data.length;
      return false;
    }
    this.chunks.push({ data, from });
    this.buffered += data.length;
    this.total += data.length;
    return true;
  }

  /**
   * Stream: up to `max` bytes. Datagrams: the oldest datagram, cut to `max`; the cut-off rest is
   * discarded (as recvfrom does) and counted as read. Nothing buffered (or max ≤ 0): empty data.
   */
  read(max: number): Received {
    if (max <= 0 || this.chunks.length === 0) return { data: Buffer.alloc(0) };
    if (this.datagrams) {
      const first = this.chunks.shift()!;
      this.buffered -= first.data.length;
      this.taken += first.data.length;
      return { data: first.data.subarray(0, max), ...(first.from ? { from: first.from } : {}) };
    }
    const parts: Buffer[] = [];
    let want = max;
    while (want > 0 && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      if (head.data.length <= want) {
        parts.push(head.data);
        want -= head.data.length;
        this.chunks.shift();
      } else {
        parts.push(head.data.subarray(0, want));
        head.data = head.data.subarray(want);
        want = 0;
      }
    }
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.buffered -= data.length;
    this.taken += data.length;
    return { data };
  }

  counters(): RecvCounters {
    const base: RecvCounters = { total: this.total, read: this.taken, unread: this.buffered };
    return this.datagrams ? { ...base, droppedDatagrams: this.droppedDatagrams, droppedBytes: this.droppedBytes } : base;
  }
}
