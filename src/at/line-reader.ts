/**
 * Assembles one command line from the host's bytes (§1.2, FIDELITY.md "Framing"): CR ends it,
 * LF is ignored, backspace deletes, a line too long to buffer is skipped to its CR and answered
 * ERROR. A counted payload (FIDELITY.md "Data mode": `AT+QISEND=0,9,"{"a":"b"}"`) is taken raw,
 * by count, whatever it contains (quotes, commas, `;`, CR, LF); the closing quote must follow it.
 */
import type { Clock } from '../clock.ts';
import { MAX_LINE_BYTES } from './framing.ts';
import { PAYLOAD_MARK } from './parse.ts';

const CR = 0x0d;
const LF = 0x0a;
const BACKSPACE = 0x08;
const QUOTE = 0x22;
const QUOTE_CR = Buffer.from('"\r', 'latin1');

/** A complete line: its text (payloads stand as PAYLOAD_MARK), or null when it is to be answered ERROR. */
export interface Line {
  text: string | null;
  payloads: Buffer[];
  /** Nothing but spaces: no answer. */
  empty: boolean;
}

export interface ReadResult {
  /** Bytes of the chunk this line took (the rest belongs to the next line). */
  used: number;
  /** The line, when its CR came. */
  line?: Line;
  /** Bytes taken as payload that turned out to belong after the line: read them again. */
  again?: Buffer;
}

/** A counted payload as far as it came: the count its line declared, and the bytes taken for it. */
export interface PayloadInfo {
  declared: number;
  taken: Buffer;
}

/**
 * What happened inside read(), for an observer that follows the same line from outside (the
 * driver checker, src/checker/line-splitter.ts). Positions are indexes in the chunk being read.
 */
export type LineEvent =
  /** A counted payload opened; `at` is just after its opening quote. */
  | { kind: 'payload-open'; at: number }
  /** Bytes [from, to) were taken as payload data. */
  | { kind: 'payload-data'; from: number; to: number }
  /** The byte before `at` took the line over MAX_LINE_BYTES: it is skipped to its CR, answered ERROR. */
  | { kind: 'overlong'; at: number }
  /** The byte at `at` is not the payload's closing quote; `taken` runs on to the end of the chunk. */
  | { kind: 'overrun'; at: number; payload: PayloadInfo };

export interface LineReaderOptions {
  /** Whether an opening quote after this text starts a counted payload, and its size in bytes. */
  countedPayload?: (lineSoFar: string) => number | null;
  clock: Clock;
  /** A counted payload the host stops sending in the middle of ends the line (ERROR) after this. */
  payloadIdleMs: number;
  /**
   * The same, sooner, when the host's write ended in `"` CR (LF) inside the payload: a line that
   * looks complete, whose count is larger than its data.
   */
  payloadEndedMs: number;
  /** That happened: the engine calls expire() to get the line. */
  onPayloadIdle: () => void;
  /** Told what happened, only to report it: changes nothing in the reading. */
  observe?: (event: LineEvent) => void;
}

interface Payload {
  need: number;
  got: number;
  chunks: Buffer[];
}

export class LineReader {
  /** The line's bytes, without its counted payloads. */
  private bytes: number[] = [];
  /** Where in `bytes` each payload sits (right after its opening quote). */
  private marks: number[] = [];
  private payloads: Buffer[] = [];
  private size = 0;
  private inQuotes = false;
  /** Backspace cannot reach into a payload or its quotes. */
  private fixed = 0;
  private overlong = false;
  private payload: Payload | null = null;
  private timer: unknown = null;

  constructor(private readonly opts: LineReaderOptions) {}

  /** Inside a counted payload: the module is taking data, as in data mode. */
  get inPayload(): boolean {
    return this.payload !== null;
  }

  read(bytes: Buffer): ReadResult {
    let i = 0;
    while (i < bytes.length) {
      const p = this.payload;
      if (p && p.got < p.need) {
        const take = Math.min(bytes.length - i, p.need - p.got);
        p.chunks.push(Buffer.from(bytes.subarray(i, i + take)));
        p.got += take;
        this.opts.observe?.({ kind: 'payload-data', from: i, to: i + take });
        i += take;
        this.armTimer(i === bytes.length && looksEnded(p.chunks[p.chunks.length - 1]) ? this.opts.payloadEndedMs : this.opts.payloadIdleMs);
        continue;
      }
      const b = bytes[i];
      if (p) {
        if (b !== QUOTE) return this.badPayload(bytes.subarray(i), bytes.length);
        this.closePayload();
        i++;
        continue;
      }
      i++;
      if (b === CR) return { used: i, line: this.finish() };
      if (b === LF || this.overlong) continue;
      if (b === BACKSPACE) {
        if (this.bytes.length > this.fixed) {
          if (this.bytes.pop() === QUOTE) this.inQuotes = !this.inQuotes;
          this.size--;
        }
        continue;
      }
      if (b === QUOTE && !this.inQuotes) {
        const n = this.opensArgument() ? (this.opts.countedPayload?.(this.text()) ?? null) : null;
        this.push(QUOTE, i);
        this.inQuotes = true;
        if (n !== null && !this.overlong) this.openPayload(n, i);
        continue;
      }
      if (b === QUOTE) this.inQuotes = false;
      this.push(b, i);
    }
    return { used: i };
  }

  /** The host went silent inside a counted payload: the line ends, answered ERROR. `payload`: what came of it. */
  expire(): { line: Line; again?: Buffer; payload?: PayloadInfo } {
    const p = this.payload;
    const taken = p ? Buffer.concat(p.chunks) : null;
    const again = taken ? afterLineEnd(taken) : undefined;
    this.clear();
    const payload = p && taken ? { declared: p.need, taken } : undefined;
    return { line: { text: null, payloads: [], empty: false }, again: again ?? undefined, payload };
  }

  /** Forget the line (reset, power off). */
  clear(): void {
    this.cancelTimer();
    this.bytes = [];
    this.marks = [];
    this.payloads = [];
    this.size = 0;
    this.inQuotes = false;
    this.fixed = 0;
    this.overlong = false;
    this.payload = null;
  }

  /** `at`: where in the chunk, just after `b` (for observe). */
  private push(b: number, at: number): void {
    this.bytes.push(b);
    this.size++;
    if (this.size > MAX_LINE_BYTES) this.tooLong(at);
  }

  /** Too long to buffer: skip to the next CR, then answer ERROR. */
  private tooLong(at: number): void {
    this.clear();
    this.overlong = true;
    this.opts.observe?.({ kind: 'overlong', at });
  }

  private openPayload(n: number, at: number): void {
    if (this.size + n + 1 > MAX_LINE_BYTES) return this.tooLong(at);
    this.payload = { need: n, got: 0, chunks: [] };
    this.armTimer(this.opts.payloadIdleMs);
    this.opts.observe?.({ kind: 'payload-open', at });
  }

  private closePayload(): void {
    const p = this.payload!;
    this.cancelTimer();
    this.payloads.push(Buffer.concat(p.chunks));
    this.marks.push(this.bytes.length);
    this.payload = null;
    this.inQuotes = false;
    this.bytes.push(QUOTE);
    this.size += p.need + 1;
    this.fixed = this.bytes.length;
  }

  /**
   * The byte after a counted payload is not its closing quote: the length was wrong. The line is
   * answered ERROR; it ends where the host most likely ended it (the first `"` CR in what was
   * taken, else the first CR), and what came after is read again as the next lines.
   */
  private badPayload(rest: Buffer, used: number): ReadResult {
    const p = this.payload!;
    const raw = Buffer.concat([...p.chunks, rest]);
    const again = afterLineEnd(raw);
    this.opts.observe?.({ kind: 'overrun', at: used - rest.length, payload: { declared: p.need, taken: raw } });
    this.clear();
    if (again === null) {
      this.overlong = true; // no CR yet: skip to it, then ERROR
      return { used };
    }
    return { used, line: { text: null, payloads: [], empty: false }, again };
  }

  private finish(): Line {
    const line: Line = this.overlong
      ? { text: null, payloads: [], empty: false }
      : { text: this.text(), payloads: this.payloads, empty: false };
    if (line.text !== null) line.empty = this.payloads.length === 0 && line.text.trim() === '';
    this.clear();
    return line;
  }

  /** Whether a quote here would start an argument (after `=` or `,`, and spaces): only then is it worth asking. */
  private opensArgument(): boolean {
    let i = this.bytes.length - 1;
    while (i >= 0 && this.bytes[i] === 0x20) i--;
    return i >= 0 && (this.bytes[i] === 0x3d || this.bytes[i] === 0x2c);
  }

  /** The line so far as text, each payload as PAYLOAD_MARK. */
  private text(): string {
    let out = '';
    let from = 0;
    for (const mark of this.marks) {
      out += Buffer.from(this.bytes.slice(from, mark)).toString('utf8') + PAYLOAD_MARK;
      from = mark;
    }
    return out + Buffer.from(this.bytes.slice(from)).toString('utf8');
  }

  private armTimer(ms: number): void {
    this.cancelTimer();
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.opts.onPayloadIdle();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Whether a write ended like a command line: `"` CR, or `"` CR LF. */
function looksEnded(chunk: Buffer | undefined): boolean {
  if (!chunk) return false;
  const end = chunk[chunk.length - 1] === LF ? chunk.length - 1 : chunk.length;
  return end >= 2 && chunk[end - 1] === CR && chunk[end - 2] === QUOTE;
}

/** The bytes after the line's most likely end in `raw`, or null when it has no CR. */
function afterLineEnd(raw: Buffer): Buffer | null {
  const quoted = raw.indexOf(QUOTE_CR);
  if (quoted >= 0) return raw.subarray(quoted + 2);
  const cr = raw.indexOf(CR);
  return cr >= 0 ? raw.subarray(cr + 1) : null;
}
