/**
 * DriverChecker: watches one module from outside (its `input`, `output` and `power` events) and
 * reports where the host misuses the AT protocol (rules.ts, docs/checker.md). It changes nothing
 * in the module: it only listens, and a failure of its own never reaches the module.
 *
 * It follows the conversation as the engine does (src/at/engine.ts): a command line the host
 * ends puts the checker in `await` until the module answers; what the host sends meanwhile is
 * kept and judged by what the answer turns out to be: after a prompt (`> `, CONNECT) it was data
 * sent too early, after a final result it was the next command line sent too early (and is read
 * as such), after CONNECT as a final result (transparent mode) it was data for the connection.
 */
import { EventEmitter } from 'node:events';
import { FINAL_CONNECT, FINAL_OK, MAX_LINE_BYTES } from '../at/framing.ts';
import type { OutputInfo } from '../at/engine.ts';
import { parseLine } from '../at/parse.ts';
import type { Clock } from '../clock.ts';
import type { Fc41dModule, PowerState } from '../device/module.ts';
import { CountedTransfer, declaredLength, inlineMiss, knownCommandLine } from './counted-length.ts';
import { EscapeGuard } from './escape-guard.ts';
import { escapeText } from './format.ts';
import { type HostLine, HostLineSplitter } from './line-splitter.ts';
import { RetryWatch } from './rapid-retry.ts';
import { missingTerminator, TerminatorWatch } from './terminators.ts';
import type { Report, RuleId, Violation } from './types.ts';
import { UnreadData } from './unread-data.ts';

export interface CheckerOptions {
  /** Time for the rules and reports; the module's clock by default. */
  clock?: Clock;
  /** rapid-retry: how many failures of one command line a second are still fine (default 5). */
  retryPerSecond?: number;
  /** escape-guard: the `+++` guard time; by default the module's (`module.guardMs`). */
  guardMs?: number;
}

type Phase = 'command' | 'await' | 'data' | 'transparent';

/** Bytes the host sent, and when. */
interface Sent {
  bytes: Buffer;
  at: number;
}

export class DriverChecker extends EventEmitter<{ violation: [Violation] }> {
  readonly violations: Violation[] = [];
  /** Failures of the checker itself (bugs), kept rather than thrown into the module. */
  readonly errors: unknown[] = [];
  private readonly clock: Clock;
  private readonly startMs: number;
  private readonly startWall: number;
  private readonly detach: () => void;
  private finished = false;

  private ready: boolean;
  /** command-before-ready is reported once per power cycle. */
  private lostReported = false;
  private phase: Phase = 'command';
  private readonly splitter: HostLineSplitter;
  /** The command line the module is working on (no final result yet). */
  private outstanding: { line: HostLine; at: number } | null = null;
  /** What the host sent while `outstanding` had no answer yet. */
  private early: Sent[] = [];
  /** Set while `early` is read as command lines after a final result: the line that result answered. */
  private answered: HostLine | null = null;
  /** The data-mode transfer in progress, and the last one (whose next line tells a wrong count). */
  private transfer: CountedTransfer | null = null;
  private lastTransfer: CountedTransfer | null = null;
  private lastInputAt: number;
  private readonly report: Report;
  private readonly terminators: TerminatorWatch;
  private readonly escape: EscapeGuard;
  private readonly retry: RetryWatch;
  private readonly unread: UnreadData;

  constructor(
    readonly module: Fc41dModule,
    opts: CheckerOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? module.clock;
    this.startMs = this.clock.now();
    this.startWall = Date.now();
    this.lastInputAt = this.startMs;
    this.ready = module.state === 'on';
    this.report = (rule, at, line, message) => this.add(rule, at, line, message);
    this.splitter = new HostLineSplitter((lineSoFar) => module.registry.countedLength(lineSoFar), module.clock);
    this.terminators = new TerminatorWatch(this.report);
    this.escape = new EscapeGuard(this.report, opts.guardMs ?? module.guardMs);
    this.retry = new RetryWatch(this.report, opts.retryPerSecond ?? 5);
    this.unread = new UnreadData(this.report, module.registry);

    const onInput = (bytes: Buffer, accepted: boolean) => this.safely(() => this.input(bytes, accepted));
    const onOutput = (_bytes: Buffer, info: OutputInfo) => this.safely(() => this.output(info));
    const onPower = (state: PowerState) => this.safely(() => this.power(state));
    module.on('input', onInput);
    module.on('output', onOutput);
    module.on('power', onPower);
    this.detach = () => {
      module.off('input', onInput);
      module.off('output', onOutput);
      module.off('power', onPower);
    };
  }

  /** The end of the run: the end-of-run rules (unread-data, missing-terminator), then detach. Returns every violation. */
  finish(): Violation[] {
    if (this.finished) return [...this.violations];
    this.safely(() => this.endOfRun());
    this.finished = true;
    this.detach();
    return [...this.violations];
  }

  private endOfRun(): void {
    // Lines sent while a command still had no answer are judged as if it had come now.
    while (this.phase === 'await' && this.early.length > 0) this.answer(this.outstanding?.line ?? null);
    if (this.phase === 'data') this.transfer?.ended(this.lastInputAt, 'by the end of the run');
    if (this.phase === 'command') {
      const expired = this.splitter.expire();
      if (expired) inlineMiss(this.report, expired.miss, this.lastInputAt, false);
      else if (!this.lastTransfer?.leftover(this.splitter.pending, this.lastInputAt)) {
        missingTerminator(this.report, this.splitter.pending, this.lastInputAt);
      }
    }
    this.unread.finish();
  }

  private input(bytes: Buffer, accepted: boolean): void {
    if (this.finished || bytes.length === 0) return;
    const at = this.clock.now();
    if (!accepted) return this.lost(bytes, at);
    this.lastInputAt = at;
    this.feed(bytes, at);
  }

  private output(info: OutputInfo): void {
    if (this.finished) return;
    const at = this.clock.now();
    switch (info.kind) {
      case 'boot':
        this.ready = true;
        return;
      case 'prompt':
        return this.prompt(info.line ?? '', at);
      case 'final':
        return this.final(info.line ?? '', at);
      case 'urc':
        return this.unread.urc(info.line ?? '', at);
      default:
    }
  }

  private power(state: PowerState): void {
    // Power-up, reset, deep sleep, power-off: the module forgets the line, data mode, its buffers.
    this.ready = state === 'on';
    this.lostReported = false;
    this.splitter.clear();
    this.phase = 'command';
    this.outstanding = null;
    this.early = [];
    this.transfer = null;
    this.lastTransfer = null;
    this.terminators.reset();
    this.escape.leave();
    this.unread.reset();
  }

  /** Rule command-before-ready: the module was not running, so it dropped these bytes. */
  private lost(bytes: Buffer, at: number): void {
    if (this.lostReported || bytes.toString('latin1').trim() === '') return;
    this.lostReported = true;
    const state = this.module.state;
    const why =
      state === 'booting' && !this.ready
        ? 'sent after power-up or reset before the module said ready: it was lost; wait for ready'
        : state === 'sleeping'
          ? 'sent while the module is in deep sleep: it was lost; wake the module first'
          : 'sent while the module is powered off: it was lost';
    this.add('command-before-ready', at, bytes, why);
  }

  private feed(bytes: Buffer, at: number): void {
    switch (this.phase) {
      case 'command':
        return this.commandBytes(bytes, at);
      case 'await':
        this.early.push({ bytes: Buffer.from(bytes), at });
        return;
      case 'data':
        return this.dataBytes(bytes, at);
      case 'transparent':
        return this.escape.bytes(this.terminators.skip(bytes), at);
    }
  }

  private commandBytes(bytes: Buffer, at: number): void {
    let rest = bytes;
    while (rest.length > 0) {
      // A line ended: what follows waits for its answer (or is data, or belongs to a connection).
      if (this.phase !== 'command') return this.feed(rest, at);
      this.terminators.note(rest[0]);
      const read = this.splitter.read(rest);
      if (read.tooLong) {
        this.add('line-too-long', at, read.tooLong, `longer than the module's ${MAX_LINE_BYTES}-byte line buffer: the module skips the rest of the line and answers with an error`);
      }
      if (read.overrun) inlineMiss(this.report, read.overrun, at, true);
      rest = rest.subarray(read.used);
      if (read.again && read.again.length > 0) rest = Buffer.concat([read.again, rest]);
      if (read.line) this.lineEnded(read.line, at);
    }
  }

  private lineEnded(line: HostLine, at: number): void {
    if (line.blank) return; // the module does not answer an empty line
    this.terminators.lineEnded(line.raw, at);
    const wrongCount = this.lastTransfer?.nextLine(line.raw, at) ?? false;
    this.lastTransfer = null;
    if (this.answered && !wrongCount) {
      this.add('command-before-final', at, line.raw, `sent before ${escapeText(this.answered.raw, 40)} had its final result: wait for the result before the next command`);
    }
    if (line.text !== null) this.unread.command(line.text);
    this.outstanding = { line, at };
    this.phase = 'await';
  }

  /** `> ` or CONNECT as a prompt: the running command takes counted data now. */
  private prompt(prompt: string, at: number): void {
    if (this.phase !== 'await' || !this.outstanding) return;
    const command = this.outstanding.line;
    const need = command.text === null ? null : declaredLength(this.module.registry, command.text);
    this.transfer = new CountedTransfer(this.report, command.raw, need, (text) => knownCommandLine(this.module.registry, text));
    this.phase = 'data';
    const early = this.takeEarly();
    if (early.length > 0) {
      const bytes = early.reduce((n, s) => n + s.bytes.length, 0);
      this.add('data-before-prompt', early[0].at, command.raw, `${bytes} bytes of data were sent before the module's "${prompt}" prompt: wait for it`);
    }
    for (const sent of early) this.dataBytes(sent.bytes, sent.at);
  }

  private dataBytes(bytes: Buffer, at: number): void {
    const data = this.terminators.skip(bytes);
    if (!this.transfer || data.length === 0) return;
    // Bytes beyond the count wait in the module for the end of the transfer, then are read as command lines.
    const extra = this.transfer.take(data);
    if (extra.length > 0) this.early.push({ bytes: Buffer.from(extra), at });
  }

  private final(result: string, at: number): void {
    switch (this.phase) {
      case 'transparent':
        // `+++` worked (OK) or the connection ended (NO CARRIER).
        this.escape.leave();
        this.phase = 'command';
        return;
      case 'data':
        this.transfer?.ended(at, `before the module gave up waiting (${result})`);
        this.lastTransfer = this.transfer;
        this.transfer = null;
        break;
      case 'await':
        if (result === FINAL_CONNECT || (result === FINAL_OK && entersTransparentOnOk(this.outstanding?.line.text ?? null))) return this.transparent(at, result);
        break;
      case 'command': {
        // The module gave up on an inline payload that never came whole: its line is answered now.
        const expired = this.splitter.expire();
        if (!expired) return;
        inlineMiss(this.report, expired.miss, at, false);
        if (expired.again && expired.again.length > 0) this.commandBytes(expired.again, at);
        return;
      }
    }
    const done = this.outstanding;
    if (done && done.line.text !== null) this.retry.result(done.line.text, done.line.raw, result, done.at, at);
    this.answer(done?.line ?? null);
  }

  /** The outstanding command has its answer: what the host sent meanwhile is read as command lines now. */
  private answer(answered: HostLine | null): void {
    this.outstanding = null;
    this.phase = 'command';
    const early = this.early;
    this.early = [];
    this.answered = answered;
    try {
      for (const sent of early) this.feed(sent.bytes, sent.at);
    } finally {
      this.answered = null;
    }
  }

  /** CONNECT as a final result (OK for BLE): the line belongs to a connection until `+++` or NO CARRIER. */
  private transparent(at: number, result: string): void {
    const command = this.outstanding?.line;
    this.outstanding = null;
    this.phase = 'transparent';
    this.escape.enter(at);
    const early = this.takeEarly();
    if (early.length === 0) return;
    const bytes = early.reduce((n, s) => n + s.bytes.length, 0);
    this.add('data-before-prompt', early[0].at, command?.raw ?? early[0].bytes, `${bytes} bytes of data were sent before the module's ${result} that opens transparent mode: wait for it`);
    // The module hands them to the connection once CONNECT is out.
    this.escape.bytes(Buffer.concat(early.map((s) => s.bytes)), at);
  }

  /** What the host sent before a prompt or CONNECT, without the rest of the command's terminator. */
  private takeEarly(): Sent[] {
    const early: Sent[] = [];
    for (const sent of this.early) {
      const bytes = this.terminators.skip(sent.bytes);
      if (bytes.length > 0) early.push({ bytes, at: sent.at });
    }
    this.early = [];
    return early;
  }

  private add(rule: RuleId, at: number, line: string | Buffer, message: string): void {
    const atMs = Math.max(0, Math.round(at - this.startMs));
    const violation: Violation = {
      rule,
      module: this.module.label,
      atMs,
      time: new Date(this.startWall + atMs).toISOString(),
      line: escapeText(line),
      message,
    };
    this.violations.push(violation);
    this.emit('violation', violation);
  }

  /** A bug in the checker (or in a violation listener) must never break the module it watches. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (this.errors.length < 100) this.errors.push(error);
    }
  }
}

/** BLE transparent mode answers OK, not CONNECT (FIDELITY.md; src/ble/commands.ts AT+QBLETRANMODE). */
function entersTransparentOnOk(text: string | null): boolean {
  const parsed = text === null ? null : parseLine(text);
  return parsed?.ok === true && parsed.commands.at(-1)?.name === '+QBLETRANMODE';
}

