/**
 * Keep-alive of one connected MQTT session (§2.5.1 <kalive_tm>): a PINGREQ when nothing was sent
 * for `keepaliveMs`, and the session declared dead (+QMTSTAT 2, §3.5.2) when its PINGRESP does not
 * come within `waitMs` (the delivery time, <delivery_tm>). One PINGREQ at a time. The timer is
 * not moved on every packet sent: when it fires it looks at when the last packet went out and
 * waits the rest. A PINGRESP wait that ends while the session is held (`held()`: the socket is not
 * being read, so the answer may be sitting unread in it) starts again.
 */
import type { Clock } from '../clock.ts';

export interface KeepaliveOptions {
  clock: Clock;
  /** 0: no keep-alive. */
  keepaliveMs: number;
  waitMs: number;
  /** When the last packet was sent (clock time). */
  lastSent(): number;
  /** Sends a PINGREQ. */
  ping(): void;
  /** No PINGRESP in time. */
  timedOut(): void;
  held(): boolean;
}

export class Keepalive {
  private idleTimer: unknown = null;
  private waitTimer: unknown = null;
  private stopped = false;

  constructor(private readonly o: KeepaliveOptions) {
    if (o.keepaliveMs > 0) this.armIdle(o.keepaliveMs);
  }

  /** A PINGRESP came. */
  answered(): void {
    this.o.clock.clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }

  /** Whether a PINGREQ is waiting for its PINGRESP. */
  get waiting(): boolean {
    return this.waitTimer !== null;
  }

  stop(): void {
    this.stopped = true;
    this.o.clock.clearTimeout(this.idleTimer);
    this.o.clock.clearTimeout(this.waitTimer);
    this.idleTimer = this.waitTimer = null;
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.o.clock.setTimeout(() => this.idle(), ms);
  }

  private idle(): void {
    const { clock, keepaliveMs } = this.o;
    const quiet = clock.now() - this.o.lastSent();
    if (quiet < keepaliveMs) return this.armIdle(keepaliveMs - quiet);
    if (this.waitTimer === null) {
      this.waitTimer = clock.setTimeout(() => this.expired(), this.o.waitMs);
      this.o.ping();
      if (this.stopped) return;
    }
    this.armIdle(keepaliveMs);
  }

  private expired(): void {
    if (this.o.held()) {
      this.waitTimer = this.o.clock.setTimeout(() => this.expired(), this.o.waitMs);
      return;
    }
    this.waitTimer = null;
    this.o.timedOut();
  }
}
