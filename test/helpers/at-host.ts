/**
 * A test host: talks to a module over any byte duplex (in-process stream or TCP socket)
 * the way host firmware does, and collects what comes back as framed lines.
 */
import type { Duplex } from 'node:stream';

/** A final result code, framed (§1.3). */
const FINAL_RESULT = /\r\n(OK|ERROR|SEND OK|SEND FAIL|CONNECT|NO CARRIER)\r\n/;

export class AtHost {
  /** Everything received so far, as latin1 text (lossless for binary). */
  received = '';
  /**
   * What `expect` has not consumed yet. Kept apart from `received` so that matching reads only
   * this: reading the ever-growing `received` makes V8 flatten it on every call, which made a
   * long session (1 MiB through AT+QISEND / AT+QIRD) quadratic.
   */
  private pending = '';
  private waiters: (() => void)[] = [];

  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      this.received += text;
      this.pending += text;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  write(data: string | Buffer): void {
    this.stream.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends a command line terminated by CR. */
  send(line: string): void {
    this.write(`${line}\r`);
  }

  /** Waits until the unread text contains `pattern`; returns the unread text up to its end and consumes it. */
  async expect(pattern: string | RegExp, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const unread = this.pending;
      const match = typeof pattern === 'string' ? indexOfString(unread, pattern) : pattern.exec(unread);
      if (match) {
        const end = match.index + match[0].length;
        this.pending = unread.slice(end);
        return unread.slice(0, end);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${String(pattern)}; unread: ${JSON.stringify(unread)}`);
      await this.changed(left);
    }
  }

  /** Sends a command and returns the information lines and the final result. */
  async command(line: string, timeoutMs = 3000): Promise<{ lines: string[]; final: string }> {
    this.send(line);
    const text = await this.expect(FINAL_RESULT, timeoutMs);
    const lines = splitLines(text);
    const final = lines.pop() ?? '';
    return { lines, final };
  }

  /** The unread text, without consuming it. */
  get unread(): string {
    return this.pending;
  }

  /** Waits for `ms` and returns what arrived meanwhile (consumed). */
  async collect(ms: number): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    const text = this.pending;
    this.pending = '';
    return text;
  }

  private changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function indexOfString(text: string, needle: string): { index: number; 0: string } | null {
  const index = text.indexOf(needle);
  return index < 0 ? null : { index, 0: needle };
}

/** The non-empty framed lines of a chunk of output. */
export function splitLines(text: string): string[] {
  return text.split('\r\n').filter((l) => l.length > 0);
}
