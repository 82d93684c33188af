/**
 * Rule rapid-retry: the same command line failing (a final result with ERROR or FAIL in it) more
 * than N times within one second. A driver that retries at once, forever, floods the UART and
 * hides the failure (the example: AT+QMTCFG 2,623 times in 4.5 s). One report per burst:
 * the line is reported again only after its failures fell back to N or fewer in a second.
 */
import type { Report } from './types.ts';

const WINDOW_MS = 1000;

/** Final results that mean the command failed. */
export const isFailure = (final: string): boolean => /ERROR|FAIL/.test(final);

export class RetryWatch {
  private readonly failures = new Map<string, { times: number[]; reported: boolean }>();

  constructor(
    private readonly report: Report,
    private readonly perSecond: number,
  ) {}

  /** A command line got its final result at `at` (the time the host sent it: `sentAt`). */
  result(line: string, raw: Buffer, final: string, sentAt: number, at: number): void {
    const key = line.trim().toUpperCase();
    if (!isFailure(final)) {
      this.failures.delete(key);
      return;
    }
    let entry = this.failures.get(key);
    if (!entry) {
      if (this.failures.size >= 256) this.forgetOld(at);
      entry = { times: [], reported: false };
      this.failures.set(key, entry);
    }
    entry.times.push(at);
    while (entry.times.length > 0 && entry.times[0] <= at - WINDOW_MS) entry.times.shift();
    if (entry.times.length <= this.perSecond) {
      entry.reported = false;
      return;
    }
    if (entry.reported) return;
    entry.reported = true;
    this.report('rapid-retry', sentAt, raw, `failed (${final}) ${entry.times.length} times within 1 s, more than ${this.perSecond}: back off before retrying, and look at why it fails`);
  }

  /** Lines whose failures are all older than the window: nothing to count any more. */
  private forgetOld(at: number): void {
    for (const [key, entry] of this.failures) if ((entry.times.at(-1) ?? 0) <= at - WINDOW_MS) this.failures.delete(key);
  }
}
