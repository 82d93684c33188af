/**
 * The AT engine: the module's side of the UART, knowing nothing of the FC41D's commands.
 * It assembles input lines (CR ends a line, LF is ignored, input may arrive one byte per
 * write), echoes, parses, hands each command to a dispatcher, frames responses, holds
 * URCs until no command is running, and offers the two raw-byte modes later chapters
 * use: data mode (`CONNECT` or `> `, then exactly N bytes) and transparent mode.
 */
import type { Clock } from '../clock.ts';
import { ByteQueue } from './byte-queue.ts';
import { ESCAPE_GUARD_MS, EscapeDetector } from './escape.ts';
import { frameLine } from './framing.ts';
import { type Line, LineReader } from './line-reader.ts';
import { parseLine, type ParsedCommand } from './parse.ts';
import { TerminatorTail } from './terminator.ts';

export type OutputKind = 'boot' | 'echo' | 'response' | 'final' | 'urc' | 'prompt' | 'data';

export interface OutputInfo {
  kind: OutputKind;
  /** The text line, for framed output (responses, results, URCs). */
  line?: string;
}

export interface DataRequest {
  /** Bytes written before the transfer, e.g. PROMPT_CONNECT or PROMPT_SEND. */
  prompt: Buffer;
  /** The transfer fails when the host stays silent this long. */
  idleTimeoutMs: number;
}

export interface DataResult {
  bytes: Buffer;
  /** False when the timeout ended the transfer before all bytes came. */
  complete: boolean;
}

/** A connection that owns the serial line in transparent mode (§2.3.10). */
export interface TransparentSession {
  /** Bytes from the host, already stripped of a `+++` escape. */
  fromHost(bytes: Buffer): void;
  /** Whether `ATO` may resume this session. */
  isOpen(): boolean;
  /** The host left with `+++`. */
  onEscape?(): void;
}

/** What a command handler may do besides returning its final result. */
export interface ExecContext {
  /** An information response line. */
  line(text: string): void;
  /** Raw bytes inside the response (e.g. data read from a socket). */
  raw(bytes: Buffer): void;
  /** Enter data mode: write the prompt, then collect exactly n bytes from the host. */
  readData(n: number, request: DataRequest): Promise<DataResult>;
  /** Hand the serial line to a session; return the result this gives (`CONNECT`). */
  enterTransparent(session: TransparentSession): string;
  /** Resume the last transparent session (`ATO`); false when there is none open. */
  resumeTransparent(): boolean;
  /** Run after the final result has been written (e.g. reboot after `OK`). */
  afterResponse(fn: () => void): void;
}

/** Returns the command's final result code: `OK`, `ERROR`, `SEND OK`, `CONNECT`, … */
export type Dispatch = (command: ParsedCommand, ctx: ExecContext) => Promise<string> | string;

export interface EngineOptions {
  dispatch: Dispatch;
  output: (bytes: Buffer, info: OutputInfo) => void;
  echo: () => boolean;
  urcEnabled: () => boolean;
  clock: Clock;
  /** The `+++` guard time (§2.3.11): 1000 ms. */
  guardMs?: number;
  /** Told of every parsed command line and of handler failures (for traces). */
  onLine?: (line: string) => void;
  onHandlerError?: (command: ParsedCommand | null, error: unknown) => void;
  /** The line became free for URCs (a command answered, transparent mode ended). */
  onIdle?: () => void;
  /**
   * Asked when an opening quote follows `lineSoFar`: the size in bytes of the counted payload it
   * opens (taken raw, whatever it holds), or null when it opens an ordinary quoted string.
   */
  countedPayload?: (lineSoFar: string) => number | null;
  /** A counted payload the host stops sending in the middle of ends its line (ERROR) after this. */
  payloadIdleMs?: number;
  /** The same when the host's last write ended in `"` CR inside the payload (a count larger than the data). */
  payloadEndedMs?: number;
  /** Held input rose above the high-water mark (true: stop the host, as RTS) or drained (false). */
  onInputPressure?: (high: boolean) => void;
  /** Held URCs rose above the high-water mark (true: stop producing them) or went out (false). */
  onUrcPressure?: (high: boolean) => void;
}

/**
 * Input held while a command runs: above the high-water mark the host is asked to stop (RTS),
 * below the low-water mark to go on. Nothing is ever dropped; bytes already on their way are kept.
 */
export const INPUT_HIGH_WATER = 256 * 1024;
export const INPUT_LOW_WATER = 64 * 1024;
/** URCs held while a command runs or the line is in transparent mode, in bytes: above the mark their producers are told to stop. */
export const URC_HIGH_WATER = 64 * 1024;
/** How long a counted payload may pause between bytes before its line is answered ERROR. */
export const PAYLOAD_IDLE_MS = 5000;
/** The same after a write that ended in `"` CR inside the payload, as a complete line would. */
export const PAYLOAD_ENDED_MS = 100;

const LF = 0x0a;

type Mode = 'command' | 'data' | 'transparent';

interface DataCollector {
  need: number;
  chunks: Buffer[];
  got: number;
  idleTimeoutMs: number;
  timer: unknown;
  resolve: (r: DataResult) => void;
}

export class AtEngine {
  private powered = false;
  private mode: Mode = 'command';
  private busy = false;
  /** Bumped on every reset, so a handler still awaiting something knows it is stale. */
  private epoch = 0;
  private readonly reader: LineReader;
  /** What followed the last command line's CR: a terminator byte is never data (FIDELITY.md). */
  private readonly tail = new TerminatorTail();
  private readonly pending = new ByteQueue();
  private inputPressure = false;
  private urcs: Buffer[] = [];
  private urcBytes = 0;
  private urcPressure = false;
  private collector: DataCollector | null = null;
  private session: TransparentSession | null = null;
  private lastSession: TransparentSession | null = null;
  private readonly escape: EscapeDetector;

  constructor(private readonly opts: EngineOptions) {
    this.escape = new EscapeDetector(
      opts.clock,
      opts.guardMs ?? ESCAPE_GUARD_MS,
      (bytes) => this.session?.fromHost(bytes),
      () => this.leaveTransparent('OK', true),
    );
    this.reader = new LineReader({
      countedPayload: opts.countedPayload,
      clock: opts.clock,
      payloadIdleMs: opts.payloadIdleMs ?? PAYLOAD_IDLE_MS,
      payloadEndedMs: opts.payloadEndedMs ?? PAYLOAD_ENDED_MS,
      onPayloadIdle: () => this.payloadIdle(),
    });
  }

  /** Power up (or come back from reset): accept input and say `ready`. */
  boot(): void {
    this.reset();
    this.powered = true;
    this.opts.output(frameLine('ready'), { kind: 'boot', line: 'ready' });
  }

  /** Power off or reset: forget the line, pending input, URCs and sessions. */
  reset(): void {
    this.epoch++;
    this.powered = false;
    this.mode = 'command';
    this.busy = false;
    this.reader.clear();
    this.tail.reset();
    this.pending.clear();
    this.updateInputPressure();
    this.urcs = [];
    this.urcBytes = 0;
    this.updateUrcPressure();
    this.escape.stop();
    if (this.collector) this.finishCollect(false);
    this.session = null;
    this.lastSession = null;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Running, in command mode, and no command in progress: a URC goes out at once. */
  get isIdle(): boolean {
    // Inside a counted payload the module takes data, as in data mode: URCs wait.
    return this.powered && !this.busy && this.mode === 'command' && !this.reader.inPayload;
  }

  /** Whether this transparent session owns the serial line now. */
  owns(session: TransparentSession): boolean {
    return this.mode === 'transparent' && this.session === session;
  }

  /** Bytes from the host. Dropped while the module is not running, as on a real UART. */
  input(bytes: Buffer): void {
    if (!this.powered || bytes.length === 0) return;
    if (this.mode === 'data') return this.collect(bytes);
    // Held while a command runs, also once it has switched to transparent mode: its CONNECT
    // goes out first, and the bytes that came earlier go to the session before these.
    if (this.busy) {
      this.pending.push(bytes);
      this.updateInputPressure();
      return;
    }
    if (this.mode === 'transparent') return this.toSession(bytes);
    this.readLine(bytes);
  }

  /** Bytes for the transparent session, through the `+++` detector; a terminator byte is not data. */
  private toSession(bytes: Buffer): void {
    const data = this.tail.skip(bytes);
    if (data.length > 0) this.escape.push(data);
  }

  /** Queue an unsolicited result code; it goes out once no command is running. */
  urc(line: string | Buffer, opts: { always?: boolean } = {}): void {
    if (!this.powered) return;
    if (!opts.always && !this.opts.urcEnabled()) return;
    const bytes = typeof line === 'string' ? frameLine(line) : line;
    this.urcs.push(bytes);
    this.urcBytes += bytes.length;
    this.flushUrcs();
    this.updateUrcPressure();
  }

  /** Bytes from a transparent session to the host; false when the session does not own the line now. */
  toHost(session: TransparentSession, bytes: Buffer): boolean {
    if (this.mode !== 'transparent' || this.session !== session) return false;
    this.opts.output(bytes, { kind: 'data' });
    return true;
  }

  /** The session's connection ended: in transparent mode this prints `NO CARRIER` (§3.3.7). */
  endSession(session: TransparentSession): void {
    if (this.lastSession === session) this.lastSession = null;
    if (this.mode === 'transparent' && this.session === session) this.leaveTransparent('NO CARRIER', false);
  }

  private leaveTransparent(result: string, escaped: boolean): void {
    const session = this.session;
    this.escape.stop();
    this.session = null;
    this.mode = 'command';
    this.opts.output(frameLine(result), { kind: 'final', line: result });
    if (escaped) session?.onEscape?.();
    this.becameIdle();
    this.drainPending();
  }

  /** Reads up to and including the CR that ends a line; what follows waits until the line is answered. */
  private readLine(bytes: Buffer): void {
    this.tail.note(bytes[0]);
    const read = this.reader.read(bytes);
    let used = read.used;
    // The LF of a CRLF that came with its line is taken (and echoed) with it, before the answer,
    // as a module echoing bytes as they arrive would: an echo never leaves a stray LF after `OK`.
    const lf = read.line !== undefined && !read.again && bytes[used] === LF;
    if (lf) used++;
    // Echo is per read, not per byte: the same bytes in one write rather than many.
    if (this.opts.echo() && used > 0) this.opts.output(Buffer.from(bytes.subarray(0, used)), { kind: 'echo' });
    // A view, not a copy: copying the rest at every CR made many short lines in one write quadratic.
    if (used < bytes.length) this.pending.unshift(bytes.subarray(used));
    if (read.again && read.again.length > 0) this.pending.unshift(read.again);
    if (read.line) this.endOfLine(read.line, lf);
    else if (this.urcs.length > 0) this.flushUrcs(); // held during a counted payload that has now closed
  }

  /** A counted payload stopped in the middle: its line is answered ERROR. */
  private payloadIdle(): void {
    if (!this.powered || this.busy || this.mode !== 'command') return;
    const { line, again } = this.reader.expire();
    if (again && again.length > 0) this.pending.unshift(again);
    this.endOfLine(line);
  }

  private endOfLine(line: Line, lfTaken = false): void {
    // The byte after a command line's CR may be the rest of its terminator (LF, or a host's second CR).
    if (!line.empty) this.tail.open();
    if (lfTaken) this.tail.note(LF);
    this.busy = true;
    this.runLine(line).catch((error) => this.opts.onHandlerError?.(null, error));
  }

  /** Runs one line's commands in order; the line gets one final result (V.250 chaining). */
  private async runLine(line: Line): Promise<void> {
    const epoch = this.epoch;
    const after: (() => void)[] = [];
    let final: string | null;
    if (line.text === null) final = 'ERROR';
    else {
      this.opts.onLine?.(line.text);
      final = await this.runCommands(line.text, line.payloads, after, epoch);
    }
    if (epoch !== this.epoch) return;
    if (final !== null) this.opts.output(frameLine(final), { kind: 'final', line: final });
    this.busy = false;
    for (const fn of after) {
      try {
        fn();
      } catch (error) {
        this.opts.onHandlerError?.(null, error);
      }
    }
    if (epoch !== this.epoch) return;
    this.becameIdle();
    this.drainPending();
  }

  private async runCommands(text: string, payloads: Buffer[], after: (() => void)[], epoch: number): Promise<string | null> {
    const parsed = parseLine(text, payloads);
    if (!parsed.ok) return 'ERROR';
    if (parsed.commands.length === 0) return text.trim() === '' ? null : 'OK';
    const ctx = this.context(after, epoch);
    for (const command of parsed.commands) {
      let result: string;
      try {
        result = await this.opts.dispatch(command, ctx);
      } catch (error) {
        this.opts.onHandlerError?.(command, error);
        result = 'ERROR';
      }
      if (epoch !== this.epoch) return null;
      // Only a plain OK lets the next command on the line run.
      if (result !== 'OK' || this.mode === 'transparent') return result;
    }
    return 'OK';
  }

  private context(after: (() => void)[], epoch: number): ExecContext {
    const live = () => epoch === this.epoch;
    return {
      line: (text) => {
        if (live()) this.opts.output(frameLine(text), { kind: 'response', line: text });
      },
      raw: (bytes) => {
        if (live()) this.opts.output(bytes, { kind: 'data' });
      },
      readData: (n, request) => this.startCollect(n, request, live),
      enterTransparent: (session) => {
        this.session = session;
        this.lastSession = session;
        this.mode = 'transparent';
        return 'CONNECT';
      },
      resumeTransparent: () => {
        const session = this.lastSession;
        if (!session || !session.isOpen()) return false;
        this.session = session;
        this.mode = 'transparent';
        return true;
      },
      afterResponse: (fn) => after.push(fn),
    };
  }

  private startCollect(n: number, request: DataRequest, live: () => boolean): Promise<DataResult> {
    if (!live()) return Promise.resolve({ bytes: Buffer.alloc(0), complete: false });
    this.opts.output(request.prompt, { kind: 'prompt', line: request.prompt.toString('latin1').trim() });
    return new Promise((resolve) => {
      this.collector = { need: n, chunks: [], got: 0, idleTimeoutMs: request.idleTimeoutMs, timer: null, resolve };
      this.mode = 'data';
      if (n === 0) return this.finishCollect(true);
      this.armCollectTimer();
      // Input that came before the prompt was written is the start of the data.
      while (this.collector && this.pending.length > 0) this.collect(this.pending.shift()!);
      this.updateInputPressure();
    });
  }

  private collect(input: Buffer): void {
    const c = this.collector;
    if (!c) return;
    // The rest of the command line's terminator (its LF, even in a later write) is not data.
    const bytes = this.tail.skip(input);
    if (bytes.length === 0) return;
    const take = Math.min(bytes.length, c.need - c.got);
    c.chunks.push(Buffer.from(bytes.subarray(0, take)));
    c.got += take;
    if (take < bytes.length) this.pending.unshift(bytes.subarray(take));
    if (c.got === c.need) this.finishCollect(true);
    else this.armCollectTimer();
  }

  private armCollectTimer(): void {
    const c = this.collector;
    if (!c) return;
    if (c.timer !== null) this.opts.clock.clearTimeout(c.timer);
    c.timer = this.opts.clock.setTimeout(() => this.finishCollect(false), c.idleTimeoutMs);
  }

  private finishCollect(complete: boolean): void {
    const c = this.collector;
    if (!c) return;
    if (c.timer !== null) this.opts.clock.clearTimeout(c.timer);
    this.collector = null;
    if (this.mode === 'data') this.mode = 'command';
    c.resolve({ bytes: Buffer.concat(c.chunks), complete });
  }

  private flushUrcs(): void {
    if (!this.isIdle) return;
    while (this.urcs.length > 0) {
      const bytes = this.urcs.shift()!;
      this.urcBytes -= bytes.length;
      this.opts.output(bytes, { kind: 'urc', line: urcLine(bytes) });
    }
    this.updateUrcPressure();
  }

  private updateUrcPressure(): void {
    const high = this.urcBytes > URC_HIGH_WATER;
    if (high === this.urcPressure || (high === false && this.urcBytes > URC_HIGH_WATER / 4)) return;
    this.urcPressure = high;
    this.opts.onUrcPressure?.(high);
  }

  private updateInputPressure(): void {
    const held = this.pending.size;
    if (this.inputPressure ? held > INPUT_LOW_WATER : held <= INPUT_HIGH_WATER) return;
    this.inputPressure = !this.inputPressure;
    this.opts.onInputPressure?.(this.inputPressure);
  }

  /** After a command or transparent mode: held URCs go out, then whoever waits for the line hears. */
  private becameIdle(): void {
    this.flushUrcs();
    if (this.isIdle) this.opts.onIdle?.();
  }

  /** Feed input that arrived while a command ran, until the next command starts. */
  private drainPending(): void {
    if (this.mode === 'transparent') {
      this.escape.restart();
      while (this.pending.length > 0 && this.mode === 'transparent') this.toSession(this.pending.shift()!);
    } else {
      while (this.pending.length > 0 && !this.busy && this.mode === 'command' && this.powered) {
        this.readLine(this.pending.shift()!);
      }
    }
    this.updateInputPressure();
  }
}

/** The first line of a URC, for traces (a direct-push URC carries data after it). */
function urcLine(bytes: Buffer): string {
  const text = bytes.subarray(0, 256).toString('utf8').replace(/^\r\n/, '');
  const end = text.indexOf('\r\n');
  return end < 0 ? text : text.slice(0, end);
}
