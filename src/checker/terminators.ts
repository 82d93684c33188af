/**
 * Rules mixed-terminators and missing-terminator, and the terminator bookkeeping the other rules
 * share. How a line ended is known only from the byte after its CR (LF: `\r\n`; another CR:
 * `\r\r`; anything else: `\r`), which may come in a later write. Around data mode the module
 * skips one LF, and one CR on a host that ends lines with `\r\r` (src/at/terminator.ts): that
 * byte is the rest of the terminator, not data, and the checker skips it the same way.
 */
import { dotted } from './format.ts';
import type { Report } from './types.ts';

const CR = 0x0d;
const LF = 0x0a;

export type Ending = '\\r' | '\\r\\n' | '\\r\\r';

export class TerminatorWatch {
  /** The last non-blank line ended with CR and its next byte has not been seen yet. */
  private open: { raw: Buffer; at: number } | null = null;
  /** How this host ends lines, as last seen since power-up (for skipping around data mode). */
  private hostEnding: Ending | null = null;
  /** The first ending of the session, and its line. */
  private first: { ending: Ending; raw: Buffer } | null = null;
  /** Endings already reported as different from the first (one report each). */
  private readonly reported = new Set<Ending>();

  constructor(private readonly report: Report) {}

  /** A non-blank command line ended with CR. */
  lineEnded(raw: Buffer, at: number): void {
    this.open = { raw, at };
  }

  /** Command mode reads `next` after the CR: learn (and judge) how that line ended. */
  note(next: number | undefined): void {
    if (!this.open || next === undefined) return;
    this.learn(next === LF ? '\\r\\n' : next === CR ? '\\r\\r' : '\\r');
  }

  /** Data or transparent mode starts with `bytes`: without the rest of the last line's terminator. */
  skip(bytes: Buffer): Buffer {
    if (!this.open || bytes.length === 0) return bytes;
    if (bytes[0] === LF) {
      this.learn('\\r\\n');
      return bytes.subarray(1);
    }
    const crcr = bytes[0] === CR && this.hostEnding === '\\r\\r';
    this.open = null; // a bare CR host: the byte is data, and says nothing sure of the ending
    return crcr ? bytes.subarray(1) : bytes;
  }

  /** Power-up: the module forgets how the host ends lines (the session's first ending stays). */
  reset(): void {
    this.open = null;
    this.hostEnding = null;
  }

  private learn(ending: Ending): void {
    const line = this.open!;
    this.open = null;
    this.hostEnding = ending;
    if (!this.first) {
      this.first = { ending, raw: line.raw };
      return;
    }
    if (ending === this.first.ending || this.reported.has(ending)) return;
    this.reported.add(ending);
    this.report(
      'mixed-terminators',
      line.at,
      line.raw,
      `ended with ${ending} where earlier lines ended with ${this.first.ending} (first: ${dotted(this.first.raw, 30)})`,
    );
  }
}

/** Rule missing-terminator, at the end of the run: what the host typed after its last CR. */
export function missingTerminator(report: Report, pending: Buffer, at: number): void {
  if (pending.toString('latin1').trim() === '') return;
  report('missing-terminator', at, pending, 'the command was never ended with \\r: the module is still waiting for the rest of the line');
}
