/**
 * A transparent-mode session (after `CONNECT`) as a Duplex: what the module sends is readable,
 * what is written goes to the wire as is. end() leaves with `+++` and its guard times (§2.3.11:
 * a second of silence before and after) and waits for the module's `OK`; the module ending the
 * connection (`NO CARRIER`) ends the readable side. Either way the line goes back to commands.
 */
import { Duplex } from 'node:stream';
import { AtTimeoutError } from './errors.ts';

/** What the session needs of its client. */
export interface SessionWire {
  write(bytes: Buffer, done: (error?: Error | null) => void): void;
  /** When the client last wrote to the wire (ms since the epoch). */
  lastWriteAt(): number;
  /** `+++` is on its way: its `OK` now ends the session. */
  escaping(): void;
  /** The session is given up on (no `OK` after `+++`): back to line mode regardless. */
  abandon(): void;
  pauseInput(): void;
  resumeInput(): void;
}

export class TransparentSession {
  readonly stream: Duplex;
  private over = false;
  private readonly ended: Promise<string>;
  private resolveEnded!: (final: string) => void;
  private escape: Promise<void> | null = null;

  constructor(
    private readonly wire: SessionWire,
    private readonly guardMs: number,
    private readonly timeoutMs: number,
    private readonly onDone: () => void,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const session = this;
    this.stream = new Duplex({
      read() {
        wire.resumeInput();
      },
      write(chunk: Buffer, _encoding, callback) {
        // Over (the peer hung up: NO CARRIER): dropped, as a stream error here would be unhandled
        // in most programs; the readable side has ended, which says it.
        if (session.over) return callback();
        wire.write(chunk, () => callback()); // a wire that fails closes the client, which ends this

      },
      final(callback) {
        // A module that never answers +++ is given up on (the line goes back to commands).
        session.leave().then(() => callback(), () => callback());
      },
      destroy(error, callback) {
        if (!session.over) session.leave().catch(() => {});
        callback(error);
      },
    });
  }

  get isOver(): boolean {
    return this.over;
  }

  /** Bytes from the module. */
  push(bytes: Buffer): void {
    if (!this.stream.push(bytes)) this.wire.pauseInput();
  }

  /** The module ended the session: `NO CARRIER`, or `OK` after our `+++`. */
  end(final: string): void {
    if (this.over) return;
    this.over = true;
    this.stream.push(null);
    this.resolveEnded(final);
    this.wire.resumeInput();
    this.onDone();
  }

  /** The client closed under the session. */
  close(): void {
    if (this.over) return;
    this.over = true;
    this.resolveEnded('closed');
    this.stream.push(null);
    this.stream.destroy();
    this.onDone();
  }

  /** `+++` between two guard times, then the module's `OK` (or NO CARRIER if it hung up first). */
  leave(): Promise<void> {
    if (this.over) return Promise.resolve();
    return (this.escape ??= (async () => {
      const quietFor = this.wire.lastWriteAt() + this.guardMs - Date.now();
      if (quietFor > 0) await sleep(quietFor + 20);
      if (this.over) return;
      this.wire.escaping();
      await new Promise<void>((resolve, reject) => this.wire.write(Buffer.from('+++', 'latin1'), (e) => (e ? reject(e) : resolve())));
      const limit = this.guardMs + this.timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limit)));
      const how = await Promise.race([this.ended, gaveUp]);
      clearTimeout(timer);
      if (how === 'timeout') {
        this.wire.abandon();
        this.end('timeout');
        throw new AtTimeoutError('+++', limit);
      }
    })());
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
