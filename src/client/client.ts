/**
 * The AT client: one command at a time over any byte stream, its answer gathered into
 * information lines and a final result code, and everything else the module says (URCs, raw
 * data) sorted out as it comes: URCs arriving between a command and its final result are
 * events, not answer lines. Tolerates echo (the module's factory default) and never changes a
 * module setting by itself.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { AtAbortError, AtClosedError, AtCommandError, AtTimeoutError } from './errors.ts';
import { type FramerEvent, LineFramer } from './framer.ts';
import { TransparentSession } from './transparent.ts';
import type { CommandOptions, CommandResult, SendDataOptions, TransparentOptions, Urc, WaitUrcOptions } from './types.ts';
import { commandName, isUrcLine, lineName, parseUrc } from './urc.ts';
import { BODY_COMMANDS, CONNECT, ERROR_MARK, isFinal, isSuccess, NO_CARRIER_MARK, OK, OK_MARK } from './words.ts';

export interface ClientOptions {
  timeoutMs?: number;
  guardMs?: number;
  rawIdleMs?: number;
  /** Releases the wire on close() (the stream is destroyed when absent). */
  release?: () => Promise<void>;
}

/** ATE0/ATE1, AT+QECHO=0/1 answered OK: whether the module echoes from now on. */
function echoAfter(a: { line: string }, final: string): boolean | undefined {
  const m = /^AT(?:E|\+QECHO=)([01])$/i.exec(a.line.trim());
  return m && final === OK ? m[1] === '1' : undefined;
}

/**
 * URCs kept for waitUrc() calls made just after the command whose URC they wait for: only those
 * since the last command began and not yet taken, at most this many (fleets run thousands of clients).
 */
const BACKLOG = 64;

type Step = 'queued' | 'prompt' | 'final';

/** The command on the wire. */
interface Active {
  line: string;
  name: string;
  step: Step;
  /** Echo lines still expected (a payload with CR/LF in it is echoed as several). */
  echo: string[];
  echoSeen: boolean;
  lines: string[];
  data: Buffer[];
  /** Collecting a CONNECT … OK body. */
  body: Buffer[] | null;
  payload?: Buffer;
  transparent?: { guardMs: number; timeoutMs: number };
  /** `hold`: the queue's turn is kept and handed to it (a transparent session passes it on when over). */
  settle(error: Error | null, result?: CommandResult, hold?: (release: () => void) => void): void;
}

interface Waiter {
  matches(u: Urc): boolean;
  take(u: Urc): void;
}

export class AtClient extends EventEmitter<{ urc: [Urc]; data: [Buffer]; close: [] }> {
  readonly timeoutMs: number;
  readonly guardMs: number;
  private readonly rawIdleMs: number;
  private readonly framer: LineFramer;
  private queue: Promise<void> = Promise.resolve();
  private current: Active | null = null;
  private session: TransparentSession | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Everything waiting that close() must reject. */
  private readonly pending = new Set<(cause?: unknown) => void>();
  private readonly waiters: Waiter[] = [];
  /** URCs since the last command began that no waitUrc() took yet (newest last). */
  private readonly backlog: Urc[] = [];
  /**
   * The name of a command given up on (timeout, abort) while echo is on: its answer may still
   * come, and whatever comes before the next command's echo is taken as that late answer.
   */
  private stale: string | null = null;
  /** Whether the module echoes, as learned from the last answer (and ATE0/ATE1, AT+QECHO=0/1). */
  private echoOn = false;
  private lastWrite = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: Duplex,
    private readonly opts: ClientOptions = {},
  ) {
    super();
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.guardMs = opts.guardMs ?? 1000;
    this.rawIdleMs = opts.rawIdleMs ?? 50;
    this.framer = new LineFramer((e) => this.onFramed(e));
    stream.on('data', (bytes: Buffer) => this.onBytes(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
    stream.on('error', (e) => this.shutdown(e));
    stream.on('end', () => this.shutdown());
    stream.on('close', () => this.shutdown());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `line` and resolves with its answer, whatever the final result (ERROR included). */
  command(line: string, opts: CommandOptions = {}): Promise<CommandResult> {
    return this.exec(line, opts, {});
  }

  /** command(), but a final result other than OK throws AtCommandError; resolves with the lines. */
  async expectOk(line: string, opts: CommandOptions = {}): Promise<string[]> {
    const result = await this.command(line, opts);
    if (result.final !== OK) throw new AtCommandError(line, result);
    return result.lines;
  }

  /**
   * A command that takes counted data: waits for `> ` (or `CONNECT`), writes exactly the payload's
   * bytes, and resolves with the final result (`SEND OK`, `OK`, …). An answer before the prompt
   * (`ERROR`) resolves at once and nothing is sent.
   */
  sendData(line: string, payload: Buffer | string, opts: SendDataOptions = {}): Promise<CommandResult> {
    return this.exec(line, opts, { payload: typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload });
  }

  /**
   * A command that answers `CONNECT` and hands the line to a connection (AT+QIOPEN … access mode 2,
   * ATO): resolves with that stream. Other commands wait until it ends (NO CARRIER, or end() on it:
   * `+++` with guard times). Another answer than CONNECT throws AtCommandError.
   */
  async transparent(line: string, opts: TransparentOptions = {}): Promise<Duplex> {
    const result = await this.exec(line, opts, { transparent: { guardMs: opts.guardMs ?? this.guardMs, timeoutMs: opts.timeoutMs ?? this.timeoutMs } });
    if (result.final !== CONNECT || !this.session) throw new AtCommandError(line, result);
    return this.session.stream;
  }

  /**
   * The next URC whose line starts with `prefix` (`'+QSTASTAT:GOT_IP'`, `'+QMTSTAT'`) and passes
   * `match`. It also finds one that came since the start of the last command sent before this
   * call, so `await expectOk(X); await waitUrc(Y)` never misses a Y that came with X's OK. Each
   * URC satisfies one waitUrc() only.
   */
  waitUrc(prefix: string, opts: WaitUrcOptions = {}): Promise<Urc> {
    const matches = (u: Urc) => (u.line.startsWith(prefix) || u.name === prefix) && (!opts.match || opts.match(u));
    const i = this.backlog.findIndex(matches);
    if (i >= 0) return Promise.resolve(this.backlog.splice(i, 1)[0]);
    const what = `waiting for ${prefix}`;
    if (this.closed) return Promise.reject(new AtClosedError(what));
    return new Promise<Urc>((resolve, reject) => {
      const done = this.guard(what, opts, opts.timeoutMs ?? this.timeoutMs, (error) => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        if (error) reject(error);
      });
      const waiter: Waiter = { matches, take: (u) => (done(null), resolve(u)) };
      this.waiters.push(waiter);
    });
  }

  /** Rejects what waits with AtClosedError, ends a transparent session, releases the wire. */
  close(): Promise<void> {
    this.shutdown();
    return (this.closing ??= (this.opts.release ?? (async () => void this.stream.destroy()))());
  }

  /** Runs one command through the queue. */
  private exec(line: string, opts: CommandOptions, how: { payload?: Buffer; transparent?: Active['transparent'] }): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new AtClosedError(line));
    this.backlog.length = 0; // older URCs are no longer waitUrc()'s to find
    return new Promise<CommandResult>((resolve, reject) => {
      let release: (() => void) | null = null;
      let active: Active | null = null;
      let hold: ((release: () => void) => void) | undefined;
      const done = this.guard(line, opts, opts.timeoutMs ?? this.timeoutMs, (error) => {
        if (active && this.current === active) {
          this.current = null;
          this.framer.promptArmed = false;
          // Its answer may still come; with echo on, the next command's echo tells them apart.
          if (error && (this.echoOn || active.echoSeen)) this.stale = active.name;
          if (active.body) this.framer.leaveRaw();
        }
        if (hold && release && !error) hold(release);
        else release?.();
        if (error) reject(error);
      });
      const settle: Active['settle'] = (error, result, holdTurn) => {
        hold = holdTurn;
        done(error);
        if (!error) resolve(result!);
      };
      void this.acquire().then((rel) => {
        release = rel;
        if (done.settled || this.closed) return rel(); // timed out, aborted or closed while queued
        const echo = line.split(/[\r\n]+/).filter((part) => part !== '');
        active = { line, name: commandName(line), step: how.payload ? 'prompt' : 'final', echo, echoSeen: false, lines: [], data: [], body: null, settle, ...how };
        this.current = active;
        if (how.payload) this.framer.promptArmed = true;
        this.write(Buffer.from(`${line}\r`, 'utf8'));
      });
    });
  }

  /** The next turn of the queue; call the function it gives to pass the turn on. */
  private acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.queue;
    this.queue = before.then(() => mine);
    return before.then(() => release);
  }

  /**
   * A timeout, an abort signal and close() for one wait; `finish(error)` runs once, with null
   * when the returned function is called. The returned function says whether it already ran.
   */
  private guard(what: string, opts: CommandOptions, timeoutMs: number, finish: (error: Error | null) => void) {
    const onAbort = () => end(new AtAbortError(what, opts.signal?.reason));
    const onClose = (cause?: unknown) => end(new AtClosedError(what, { cause }));
    // 0 or Infinity: no time limit (a device program waiting for commands from its broker).
    const limited = timeoutMs > 0 && Number.isFinite(timeoutMs);
    const timer = limited ? setTimeout(() => end(new AtTimeoutError(what, timeoutMs)), timeoutMs) : undefined;
    const end = Object.assign(
      (error: Error | null) => {
        if (end.settled) return;
        end.settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(onClose);
        finish(error);
      },
      { settled: false },
    );
    this.pending.add(onClose);
    if (opts.signal?.aborted) queueMicrotask(onAbort);
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    return end;
  }

  private write(bytes: Buffer, callback?: (error?: Error | null) => void): void {
    this.lastWrite = Date.now();
    if (this.stream.writable) this.stream.write(bytes, callback);
    else callback?.(new AtClosedError('write'));
  }

  private onBytes(bytes: Buffer): void {
    if (this.closed) return;
    this.framer.push(bytes);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.framer.hasPartial) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        this.framer.flush();
      }, this.rawIdleMs);
    }
  }

  private onFramed(e: FramerEvent): void {
    if (e.kind === 'prompt') return this.onPrompt();
    if (e.kind === 'raw') return this.onRaw(e.bytes);
    if (this.session) {
      // A marker ended raw mode: NO CARRIER, or OK after +++.
      const session = this.session;
      this.session = null;
      return session.end(e.text);
    }
    this.onLine(e.text, e.raw, e.data);
  }

  private onPrompt(): void {
    const a = this.current;
    if (!a || a.step !== 'prompt' || !a.payload) return;
    a.step = 'final';
    this.write(a.payload);
  }

  private onRaw(bytes: Buffer): void {
    if (this.session) return this.session.push(bytes);
    if (this.current?.body) return void this.current.body.push(bytes);
    this.safeEmit('data', bytes);
  }

  private onLine(text: string, raw: Buffer, data: Buffer | undefined): void {
    const a = this.current;
    if (!a) return this.unsolicited(text, raw, data);
    if (a.body) {
      // The body's end marker: OK or ERROR.
      const body = Buffer.concat(a.body);
      a.body = null;
      a.lines.push(body.toString('utf8'));
      a.data.push(body);
      return this.finish(a, text);
    }
    if (a.echo.length > 0 && a.lines.length === 0 && text === a.echo[0]) {
      a.echo.shift();
      a.echoSeen = true;
      this.stale = null;
      return;
    }
    // The late answer (and echo) of a command given up on, before this one's echo.
    if (this.stale !== null && !a.echoSeen) {
      const name = lineName(text);
      if (isUrcLine(text) && name?.toUpperCase() !== this.stale) this.unsolicited(text, raw, data);
      return;
    }
    if (text === CONNECT) return this.onConnect(a);
    if (isFinal(text)) return this.finish(a, text);
    const name = lineName(text);
    const foreign = name !== null ? name.toUpperCase() !== a.name : isUrcLine(text);
    if (foreign) return this.unsolicited(text, raw, data);
    a.lines.push(text);
    if (data) {
      a.lines.push(data.toString('utf8'));
      a.data.push(data);
    }
  }

  private onConnect(a: Active): void {
    if (a.step === 'prompt') return this.onPrompt(); // uploads: CONNECT, then the counted bytes
    if (a.transparent) {
      const { guardMs, timeoutMs } = a.transparent;
      let release = () => {};
      const session = new TransparentSession(
        {
          write: (bytes, done) => this.write(bytes, done),
          lastWriteAt: () => this.lastWrite,
          escaping: () => this.framer.setMarkers([NO_CARRIER_MARK, OK_MARK]),
          abandon: () => {
            this.session = null;
            this.framer.leaveRaw();
          },
          pauseInput: () => this.stream.pause(),
          resumeInput: () => this.stream.resume(),
        },
        guardMs,
        timeoutMs,
        () => release(),
      );
      this.session = session;
      this.framer.enterRaw([NO_CARRIER_MARK]);
      // The queue's turn stays with the session until it is over.
      this.current = null;
      a.settle(null, { lines: a.lines, final: CONNECT, ok: true }, (rel) => (release = rel));
      return;
    }
    if (BODY_COMMANDS.has(a.name)) {
      a.body = [];
      this.framer.enterRaw([OK_MARK, ERROR_MARK]);
      return;
    }
    // CONNECT to a plain command(): what follows is raw data ('data' events) until NO CARRIER.
    this.framer.enterRaw([NO_CARRIER_MARK]);
    this.finish(a, CONNECT);
  }

  private finish(a: Active, final: string): void {
    this.echoOn = echoAfter(a, final) ?? a.echoSeen;
    const data = a.data.length > 0 ? { data: Buffer.concat(a.data) } : {};
    a.settle(null, { lines: a.lines, final, ok: isSuccess(final), ...data });
  }

  private unsolicited(text: string, raw: Buffer, data: Buffer | undefined): void {
    if (isUrcLine(text)) return this.urc(parseUrc(text, data));
    if (isFinal(text) || text === CONNECT) return; // a late answer to a command given up on
    // Raw data (BLE) that a line terminator happened to follow.
    this.safeEmit('data', raw);
  }

  private urc(u: Urc): void {
    const waiter = this.waiters.find((w) => w.matches(u));
    if (waiter) waiter.take(u);
    else {
      this.backlog.push(u);
      if (this.backlog.length > BACKLOG) this.backlog.shift();
    }
    this.safeEmit('urc', u);
  }

  /** A listener that throws must not leave the framer half way through a read. */
  private safeEmit(...args: [event: 'urc', urc: Urc] | [event: 'data', bytes: Buffer] | [event: 'close']): void {
    try {
      (this.emit as (...a: unknown[]) => boolean)(...args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private shutdown(cause?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.framer.flush();
    this.session?.close();
    this.session = null;
    for (const reject of [...this.pending]) reject(cause);
    this.safeEmit('close');
  }
}
