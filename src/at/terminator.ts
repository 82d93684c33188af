/**
 * The line terminator around data mode (FIDELITY.md "Data mode and the line terminator").
 * Hosts end command lines with `\r`, `\r\n` or `\r\r`. When a line switches into data mode
 * (`> `, `CONNECT`) or transparent mode, the byte after its CR may be the rest of its
 * terminator, arriving with the line or in a later write: it is never the first data byte.
 *
 * Policy: remember what immediately followed the previous command line's CR (LF: a CRLF host;
 * a bare CR, i.e. an empty line: a CRCR host; anything else: a CR host). After a line that
 * enters data or transparent mode, one LF is skipped always, and one CR only on a host seen
 * ending lines with `\r\r` (on other hosts a CR there is data).
 */
const CR = 0x0d;
const LF = 0x0a;

export type HostEnding = 'CR' | 'CRLF' | 'CRCR';

export class TerminatorTail {
  private pending = false;
  /** How this host ends its lines, as last seen; unknown (treated as CR) until a line was followed by something. */
  ending: HostEnding | null = null;

  /** A non-empty command line ended with CR: the next byte may belong to its terminator. */
  open(): void {
    this.pending = true;
  }

  reset(): void {
    this.pending = false;
    this.ending = null;
  }

  /** Command mode read the byte after the CR: learn how this host ends lines. */
  note(next: number | undefined): void {
    if (!this.pending || next === undefined) return;
    this.pending = false;
    this.ending = next === LF ? 'CRLF' : next === CR ? 'CRCR' : 'CR';
  }

  /** Data or transparent mode starts with these bytes: without the rest of the terminator, if it is there. */
  skip(bytes: Buffer): Buffer {
    if (!this.pending || bytes.length === 0) return bytes;
    this.pending = false;
    if (bytes[0] === LF) {
      this.ending = 'CRLF';
      return bytes.subarray(1);
    }
    if (bytes[0] === CR && this.ending === 'CRCR') return bytes.subarray(1);
    return bytes;
  }
}
