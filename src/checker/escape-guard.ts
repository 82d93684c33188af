/**
 * Rule escape-guard: in transparent mode the module leaves for command mode only on `+++` with a
 * guard time (§2.3.11, 1 s; src/at/escape.ts) of silence before it and after it, nothing between
 * the pluses. A write that ends in exactly three `+` is taken as the host's escape attempt; it
 * fails, and the pluses go to the peer as data, when other bytes came less than a guard time
 * before it or come less than a guard time after it.
 */
import { dotted } from './format.ts';
import type { Report } from './types.ts';

const PLUS = 0x2b;

export class EscapeGuard {
  /** When the host last sent a byte in transparent mode (the line going transparent counts). */
  private lastByteAt = 0;
  /** Pluses at the end of what the host sent, their first byte's silence before, and the last one's time. */
  private run = { count: 0, silentBefore: false, gapMs: 0 };
  /** A complete `+++` waiting for its guard time after. */
  private attempt: { at: number } | null = null;

  constructor(
    private readonly report: Report,
    private readonly guardMs: number,
  ) {}

  /** The line went transparent (CONNECT): silence is measured from here. */
  enter(at: number): void {
    this.lastByteAt = at;
    this.run = { count: 0, silentBefore: false, gapMs: 0 };
    this.attempt = null;
  }

  /** Transparent mode ended (the escape worked, or NO CARRIER). */
  leave(): void {
    this.attempt = null;
    this.run.count = 0;
  }

  /** Bytes the host sent in transparent mode. */
  bytes(data: Buffer, at: number): void {
    if (data.length === 0) return;
    const gap = at - this.lastByteAt;
    if (this.attempt) {
      const after = at - this.attempt.at;
      if (after < this.guardMs) {
        this.report('escape-guard', this.attempt.at, Buffer.from('+++'), `"${dotted(data, 16)}" followed +++ after ${after} ms, less than the ${this.guardMs} ms guard time: the module sends the +++ on as data`);
      }
      this.attempt = null;
    }
    let trailing = 0;
    while (trailing < data.length && data[data.length - 1 - trailing] === PLUS) trailing++;
    if (trailing === data.length && this.run.count > 0 && gap < this.guardMs) {
      this.run.count += trailing; // the pluses go on from the previous write
    } else if (trailing === data.length) {
      this.run = { count: trailing, silentBefore: gap >= this.guardMs, gapMs: gap };
    } else {
      this.run = { count: trailing, silentBefore: false, gapMs: 0 };
    }
    this.lastByteAt = at;
    if (this.run.count !== 3) return;
    if (!this.run.silentBefore) {
      const how = trailing === data.length ? `${this.run.gapMs} ms after the previous bytes` : 'right after data in the same write';
      this.report('escape-guard', at, data, `+++ came ${how}, less than the ${this.guardMs} ms guard time: the module sends it on as data`);
      this.run.count = 0;
      return;
    }
    this.attempt = { at };
  }
}
