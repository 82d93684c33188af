/**
 * Rule counted-length: counted data (after `> ` / CONNECT, or inline between quotes) that is
 * longer or shorter than the length its command declared. The module takes exactly the declared
 * count: extra bytes become the start of the next command line (which then fails), missing bytes
 * are made up from the next command (or the transfer times out and fails).
 *
 * From outside this shows as: the transfer's final result came before the count was reached
 * (short, timed out); or the first command line after the transfer does not start with AT —
 * its start was the data's tail (long) or the data's tail holds its `AT` (short). A bare CR/LF
 * after the data is not counted: the module reads it as an empty line and ignores it.
 */
import { parseLine } from '../at/parse.ts';
import type { Registry } from '../commands/registry.ts';
import type { PayloadMiss } from './line-splitter.ts';
import type { Report } from './types.ts';

/** The parameters that declare how many bytes follow the prompt (AT+QISEND, AT+QSSLSEND, AT+QMTPUB, AT+QHTTPPOST/PUT, AT+QSSLCERT). */
const LENGTH_PARAMS = new Set(['send_len', 'payload_len', 'body_length', 'length']);
/** Bytes of the data's end kept to recognise a command that started inside it. */
const TAIL = 64;

/** The byte count a data-mode command line declares, or null when it cannot be told. */
export function declaredLength(registry: Registry, text: string): number | null {
  const parsed = parseLine(text);
  if (!parsed.ok) return null;
  for (const command of parsed.commands) {
    const write = command.form === 'write' ? registry.lookup(command.name)?.write : undefined;
    if (!write || !('params' in write)) continue;
    const index = write.params.findIndex((p) => LENGTH_PARAMS.has(p.name));
    const arg = index >= 0 ? command.args[index] : undefined;
    if (arg && /^\s*\d+\s*$/.test(arg.text)) return Number(arg.text);
  }
  return null;
}

/** Whether `text` is a command line made of commands the module knows (`AT` alone too). */
export function knownCommandLine(registry: Registry, text: string): boolean {
  const parsed = parseLine(text);
  return parsed.ok && text.trim() !== '' && parsed.commands.every((c) => registry.lookup(c.name) !== undefined);
}

/** One transfer after a prompt: what the command declared and what the host sent. */
export class CountedTransfer {
  private got = 0;
  private tail = Buffer.alloc(0);
  private reported = false;

  constructor(
    private readonly report: Report,
    /** The command line, as typed. */
    readonly command: Buffer,
    readonly need: number | null,
    /** Whether a line is a command the module knows (to tell where the host's next command starts). */
    private readonly isCommand: (text: string) => boolean,
  ) {}

  /** Data bytes the host sent: returns the bytes beyond the count (the module reads them as command mode). */
  take(bytes: Buffer): Buffer {
    const room = this.need === null ? bytes.length : Math.max(0, this.need - this.got);
    const data = bytes.subarray(0, Math.min(room, bytes.length));
    this.got += data.length;
    this.tail = Buffer.concat([this.tail, data]).subarray(-TAIL);
    return bytes.subarray(data.length);
  }

  /** Whether the module has all it asked for. */
  get complete(): boolean {
    return this.need !== null && this.got >= this.need;
  }

  /** The transfer ended (its final result came, or the run ended) before the count was reached. */
  ended(at: number, how: string): void {
    if (this.need === null || this.got >= this.need || this.reported) return;
    this.reported = true;
    this.report('counted-length', at, this.command, `declared ${this.need} bytes but sent ${this.got} ${how}`);
  }

  /**
   * The first non-blank command line after the transfer, as typed: one that does not start with
   * AT tells that the count was wrong. Returns whether it was reported.
   */
  nextLine(raw: Buffer, at: number): boolean {
    const text = raw.toString('latin1');
    if (this.reported || this.need === null || /^\s*AT/i.test(text)) return false;
    this.reported = true;
    const tail = this.tail.toString('latin1');
    // A command that starts inside the data: its `AT…` is the data's end.
    for (let p = Math.max(0, tail.length - 16); p < tail.length; p++) {
      if (/^AT/i.test(tail.slice(p) + text) && this.isCommand(tail.slice(p) + text)) {
        const sent = this.need - (tail.length - p);
        this.report('counted-length', at, this.command, `declared ${this.need} bytes but sent ${sent}: the module took the start of the next command as data`);
        return true;
      }
    }
    // The data's extra bytes, then (perhaps) the host's next command.
    let extra = text.length;
    for (let k = 1; k < text.length; k++) {
      if (/^AT/i.test(text.slice(k)) && this.isCommand(text.slice(k))) {
        extra = k;
        break;
      }
    }
    this.report('counted-length', at, this.command, `declared ${this.need} bytes but sent ${this.need + extra}: the module read the extra bytes as a command line`);
    return true;
  }

  /** The run ended with bytes after the data and no line end: more data than declared. */
  leftover(pending: Buffer, at: number): boolean {
    if (this.reported || this.need === null || pending.toString('latin1').trim() === '') return false;
    this.reported = true;
    this.report('counted-length', at, this.command, `declared ${this.need} bytes but sent ${this.need + pending.length} or more: the extra bytes wait in the module as the start of a command line`);
    return true;
  }
}

/** A counted inline payload (`AT+QISEND=0,5,"hello"`) whose closing quote was not where its count ended. */
export function inlineMiss(report: Report, miss: PayloadMiss, at: number, longer: boolean): void {
  const sent = miss.sent === null ? (longer ? `more than ${miss.declared}` : 'fewer') : `${miss.sent}`;
  const why = longer ? 'the closing quote was not where the count ended' : 'the module waited for the rest and gave up';
  report('counted-length', at, miss.raw, `the inline payload declared ${miss.declared} bytes but had ${sent}: ${why}; the line is answered with an error`);
}
