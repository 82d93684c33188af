/**
 * The fleet bench's host side of one module: the least an AT driver needs (lines in, waiters for
 * a line by its start), so that what a device costs is the emulator's, not a library's. Echo is
 * off (the module is made with `echo: false`); lines nobody waits for are dropped, except
 * `+QMTSTAT` (the session dropped), which is counted.
 */
import type { Duplex } from 'node:stream';

interface Waiter {
  match(line: string): boolean;
  what: string;
  resolve(line: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const isFinal = (line: string) => line === 'OK' || line === 'ERROR' || line.startsWith('+CME ERROR');

export class AtDriver {
  private tail = '';
  private readonly waiters: Waiter[] = [];
  /** `+QMTSTAT` lines seen: sessions the module reported closed. */
  dropped = 0;

  constructor(private readonly wire: Duplex) {
    wire.on('data', (b: Buffer) => this.onData(b));
    wire.on('error', () => {});
  }

  /** Resolves with the first line from now on starting with `prefix`. */
  expect(prefix: string, timeoutMs = 30_000): Promise<string> {
    return this.wait((line) => line.startsWith(prefix), prefix, timeoutMs);
  }

  private wait(match: (line: string) => boolean, what: string, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        what,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no ${JSON.stringify(what)} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Sends a command line and waits for its OK, then (when given) for the result URC `then`; an ERROR
   * (or a `+CME ERROR`) fails it.
   */
  async command(line: string, then?: string): Promise<string> {
    const urc = then === undefined ? undefined : this.expect(then);
    urc?.catch(() => {}); // a failed command's URC never comes: its timeout is not an error
    const final = this.wait(isFinal, 'a final result', 30_000);
    this.wire.write(`${line}\r`);
    const result = await final;
    if (result !== 'OK') {
      if (then !== undefined) this.cancel(then);
      throw new Error(`${line.slice(0, 60)}: ${result}`);
    }
    return urc ?? result;
  }

  /** Stops waiting for `what` (a prefix given to expect). */
  private cancel(what: string): void {
    const at = this.waiters.findIndex((w) => w.what === what);
    if (at < 0) return;
    clearTimeout(this.waiters[at].timer);
    this.waiters.splice(at, 1);
  }

  private onData(b: Buffer): void {
    const text = this.tail + b.toString('latin1');
    let start = 0;
    for (let end = text.indexOf('\r\n'); end >= 0; end = text.indexOf('\r\n', start)) {
      const line = text.slice(start, end);
      start = end + 2;
      if (line !== '') this.onLine(line);
    }
    this.tail = text.slice(start);
  }

  private onLine(line: string): void {
    if (line.startsWith('+QMTSTAT')) this.dropped++;
    const at = this.waiters.findIndex((w) => w.match(line));
    if (at < 0) return;
    const [w] = this.waiters.splice(at, 1);
    clearTimeout(w.timer);
    w.resolve(line);
  }
}
