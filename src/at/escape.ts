/**
 * The `+++` detector of transparent mode (§2.3.11, FIDELITY.md): three `+` with at least
 * one guard time of silence before and after and nothing between them; anything else,
 * including a `+++` followed by other bytes, is data. Held `+` are released as data when
 * the next `+` does not come within a guard time.
 */
import type { Clock } from '../clock.ts';

const PLUS = 0x2b;

/** The guard time of §2.3.11. */
export const ESCAPE_GUARD_MS = 1000;

export class EscapeDetector {
  private lastByteAt: number;
  private held = 0;
  private timer: unknown = null;

  constructor(
    private readonly clock: Clock,
    private readonly guardMs: number,
    private readonly onData: (bytes: Buffer) => void,
    private readonly onEscape: () => void,
  ) {
    this.lastByteAt = clock.now();
  }

  /** Restart the silence measurement, e.g. when `CONNECT` has just been sent. */
  restart(): void {
    this.cancelTimer();
    this.held = 0;
    this.lastByteAt = this.clock.now();
  }

  stop(): void {
    this.cancelTimer();
    this.held = 0;
  }

  push(bytes: Buffer): void {
    const now = this.clock.now();
    // Only a `+` right after a guard time of silence can start an escape; anything else is
    // all data, without looking at each byte (this is the transparent-mode hot path).
    if (this.held === 0 && !(bytes[0] === PLUS && now - this.lastByteAt >= this.guardMs)) {
      this.lastByteAt = now;
      this.onData(bytes);
      return;
    }
    let dataStart = 0;
    for (let i = 0; i < bytes.length; i++) {
      const isPlus = bytes[i] === PLUS;
      const silentBefore = now - this.lastByteAt >= this.guardMs && i === 0;
      if (this.held === 0) {
        if (isPlus && silentBefore) {
          this.flush(bytes.subarray(dataStart, i));
          this.hold(1);
          dataStart = i + 1;
        }
      } else if (isPlus && this.held < 3) {
        this.hold(this.held + 1);
        dataStart = i + 1;
      } else {
        // Not an escape after all: the held pluses are data, in order.
        this.releaseHeld();
        dataStart = i;
      }
    }
    this.flush(bytes.subarray(dataStart));
    this.lastByteAt = now;
  }

  private hold(count: number): void {
    this.cancelTimer();
    this.held = count;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.held === 3) {
        this.held = 0;
        this.onEscape();
      } else {
        this.releaseHeld();
      }
    }, this.guardMs);
  }

  private releaseHeld(): void {
    this.cancelTimer();
    if (this.held > 0) this.onData(Buffer.alloc(this.held, PLUS));
    this.held = 0;
  }

  private flush(bytes: Buffer): void {
    if (bytes.length > 0) this.onData(Buffer.from(bytes));
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
