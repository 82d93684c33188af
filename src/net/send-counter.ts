/**
 * AT+QISEND=<id>,0 counters. `total`: bytes accepted by send(); `acked`: bytes the host kernel
 * has taken (the write or send callback completed without error) — the emulator cannot see the
 * peer's TCP ACKs, and a real module's "acked" lags the same way; `unacked`: the rest (still
 * queued in Node, or failed).
 */
import type { SendCounters } from './types.ts';

export class SendCounter {
  private total = 0;
  private acked = 0;

  add(bytes: number): void {
    this.total += bytes;
  }

  ack(bytes: number): void {
    this.acked += bytes;
  }

  counters(): SendCounters {
    return { total: this.total, acked: this.acked, unacked: this.total - this.acked };
  }
}
