/**
 * The far side of a replayed connection: a real loopback TCP pair, the module holding the near
 * end as if it had dialled the server, a player on the far end serving the recording back.
 * Order, not wall time: each recorded 'in' chunk goes out once the module has written as many
 * bytes as had gone out before it in the recording, and only after the previous chunk has reached
 * the module's socket (so chunks are not merged where the recording had them apart). The close
 * comes as recorded: a FIN or a reset after the module's bytes, or an answer to the module's own
 * close. Bytes from the module that differ from the recording (or go past it) are a miss: the
 * player reports it and resets the connection.
 */
import type net from 'node:net';
import { type LoopbackPair, loopbackPair, resetSocket } from '../faults/loopback-pair.ts';
import { type RecordedConnection, describeKey } from './cassette.ts';

type Step = { kind: 'in'; data: Buffer; after: number } | { kind: 'close'; by: 'remote' | 'local' | 'error'; after: number };

/**
 * Two connected sockets on 127.0.0.1; the near (client) end from `localPort` when the host has it
 * free (the seeded local port a module shows in AT+QISTATE), else from any port.
 */
export async function replayPair(localPort: number): Promise<LoopbackPair> {
  try {
    return await loopbackPair(localPort);
  } catch (error) {
    if (localPort === 0) throw error;
    return loopbackPair(0);
  }
}

export class Player {
  private readonly steps: Step[] = [];
  private readonly expected: Buffer;
  private readonly name: string;
  /** Bytes the module wrote (all matched the recording so far). */
  private written = 0;
  /** Recorded bytes sent to the module, and how many have reached its socket. */
  private sent = 0;
  private arrived = 0;
  private index = 0;
  /** A chunk is on its way to the module's socket. */
  private inFlight = false;
  private moduleEnded = false;
  private stopped = false;

  constructor(
    near: net.Socket,
    private readonly far: net.Socket,
    entry: RecordedConnection,
    private readonly miss: (description: string) => void,
  ) {
    this.name = describeKey(entry.key);
    const outs: Buffer[] = [];
    let out = 0;
    for (const event of entry.events) {
      const data = Buffer.from(event.data, 'base64');
      if (event.dir === 'out') {
        outs.push(data);
        out += data.length;
      } else this.steps.push({ kind: 'in', data, after: out });
    }
    this.expected = Buffer.concat(outs);
    if (entry.close) this.steps.push({ kind: 'close', by: entry.close.by, after: Math.min(entry.close.afterOut, out) });

    // What reaches the module's socket, counted where the socket takes it in (its reader untouched).
    const push = near.push;
    near.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (chunk !== null && chunk !== undefined) this.arrived += (chunk as Buffer).length;
      const taken = push.call(near, chunk, encoding);
      if (this.inFlight && this.arrived >= this.sent) {
        this.inFlight = false;
        setImmediate(() => this.pump()); // let the module's reader run before the next chunk
      }
      return taken;
    };
    far.on('data', (chunk: Buffer) => this.fromModule(chunk));
    far.on('end', () => {
      this.moduleEnded = true;
      if (!this.stopped && this.written < this.expected.length) {
        this.fail(`the module closed after writing ${this.written} of the ${this.expected.length} recorded bytes`, false);
      }
      this.pump();
    });
    far.once('close', () => (this.stopped = true));
    queueMicrotask(() => this.pump()); // a server that speaks first
  }

  private fromModule(chunk: Buffer): void {
    if (this.stopped) return;
    const want = this.expected.subarray(this.written, this.written + chunk.length);
    if (!want.equals(chunk)) {
      let at = 0;
      while (at < want.length && want[at] === chunk[at]) at++;
      const offset = this.written + at;
      const what =
        at >= want.length
          ? `wrote more than the ${this.expected.length} recorded bytes (${preview(chunk.subarray(at))})`
          : `wrote bytes that differ from the recording at byte ${offset}: expected ${preview(want.subarray(at))}, got ${preview(chunk.subarray(at))}`;
      this.fail(`the module ${what}`, true);
      return;
    }
    this.written += chunk.length;
    this.pump();
  }

  /** Serves what the module's bytes so far allow, one chunk at a time. */
  private pump(): void {
    while (!this.stopped && !this.inFlight && this.index < this.steps.length) {
      const step = this.steps[this.index];
      if (step.after > this.written && !this.moduleEnded) return;
      if (step.kind === 'in') {
        this.index++;
        if (step.after > this.written) continue; // the module closed before asking for it
        this.inFlight = true;
        this.sent += step.data.length;
        this.far.write(step.data);
        return;
      }
      if (step.by === 'local' && !this.moduleEnded) return;
      this.index++;
      if (step.by === 'error') {
        this.stopped = true;
        resetSocket(this.far);
        return;
      }
      this.far.end();
      return;
    }
    // No recorded close (the recording stopped with it open): answer the module's FIN.
    if (!this.stopped && !this.inFlight && this.index >= this.steps.length && this.moduleEnded && !this.far.writableEnded) this.far.end();
  }

  private fail(what: string, reset: boolean): void {
    this.miss(`replay: ${this.name}: ${what}`);
    if (!reset) return;
    this.stopped = true;
    resetSocket(this.far);
  }
}

/** A few bytes, escaped, for a miss description. */
function preview(bytes: Buffer): string {
  const text = bytes.subarray(0, 32).toString('latin1');
  const escaped = JSON.stringify(text).slice(1, -1).replace(/[\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}${bytes.length > 32 ? '…' : ''}"`;
}
