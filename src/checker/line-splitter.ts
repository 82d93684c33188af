/**
 * The host's command lines as the module will read them, seen from outside: the same rules as
 * src/at/line-reader.ts (CR ends a line, LF is ignored, backspace deletes, a counted inline payload
 * is taken raw by count and must be followed by its closing quote, a line over MAX_LINE_BYTES is
 * skipped to its CR), plus what the checker needs and the engine does not keep: the bytes as typed
 * (for reports) and the moments a line went wrong (over the limit, a payload overran its count).
 */
import { MAX_LINE_BYTES } from '../at/framing.ts';
import { PAYLOAD_MARK } from '../at/parse.ts';

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const BACKSPACE = 0x08;
const QUOTE = 0x22;
const QUOTE_CR = Buffer.from('"\r', 'latin1');
/** Bytes of a line kept for reports (the rest is counted, not kept). */
const KEEP = 256;

/** A complete command line. */
export interface HostLine {
  /** The text as the engine parses it (payloads as PAYLOAD_MARK); null when the module answers ERROR unread. */
  text: string | null;
  /** The first bytes as the host typed them (without the CR), for reports. */
  raw: Buffer;
  /** Nothing but spaces: the module does not answer. */
  blank: boolean;
}

/** A counted inline payload that did not end where its count said. */
export interface PayloadMiss {
  /** The line up to the payload, as typed. */
  raw: Buffer;
  declared: number;
  /** How many bytes the host seems to have meant (up to its `"` CR), when that can be told. */
  sent: number | null;
}

export interface SplitResult {
  /** Bytes of the chunk this line took. */
  used: number;
  line?: HostLine;
  /** Bytes to read again as the next lines (after a payload that overran its count). */
  again?: Buffer;
  /** The line went over MAX_LINE_BYTES in this chunk: its first bytes. */
  tooLong?: Buffer;
  /** A payload's closing quote was not where its count ended. */
  overrun?: PayloadMiss;
}

interface Payload {
  need: number;
  got: number;
  chunks: Buffer[];
  /** The line as typed up to the opening quote, for reports. */
  before: Buffer;
}

export class HostLineSplitter {
  private bytes: number[] = [];
  private marks: number[] = [];
  private payloads: Buffer[] = [];
  private raw: number[] = [];
  private size = 0;
  private inQuotes = false;
  private fixed = 0;
  /** Skipping to the CR: the line is answered ERROR (too long, or a payload that overran). */
  private skipping = false;
  private payload: Payload | null = null;

  constructor(private readonly countedLength: (lineSoFar: string) => number | null) {}

  /** Inside a counted inline payload. */
  get inPayload(): boolean {
    return this.payload !== null;
  }

  /** What the host typed since its last CR (empty when nothing but LFs). */
  get pending(): Buffer {
    return Buffer.from(this.raw);
  }

  read(bytes: Buffer): SplitResult {
    const result: SplitResult = { used: 0 };
    let i = 0;
    while (i < bytes.length) {
      const p = this.payload;
      if (p && p.got < p.need) {
        const take = Math.min(bytes.length - i, p.need - p.got);
        const chunk = bytes.subarray(i, i + take);
        p.chunks.push(Buffer.from(chunk));
        p.got += take;
        this.keep(chunk);
        i += take;
        continue;
      }
      const b = bytes[i];
      if (p) {
        if (b !== QUOTE) return { ...result, ...this.overran(bytes.subarray(i), bytes.length) };
        this.closePayload();
        this.keep(bytes.subarray(i, i + 1));
        i++;
        continue;
      }
      i++;
      if (b === CR) return { ...result, used: i, line: this.finish() };
      if (b === LF) continue;
      this.keep(bytes.subarray(i - 1, i));
      if (this.skipping) continue;
      if (b === BACKSPACE) {
        if (this.bytes.length > this.fixed) {
          if (this.bytes.pop() === QUOTE) this.inQuotes = !this.inQuotes;
          this.size--;
        }
        continue;
      }
      if (b === QUOTE && !this.inQuotes) {
        const n = this.opensArgument() ? this.countedLength(this.text()) : null;
        this.push(QUOTE, result);
        this.inQuotes = true;
        if (n !== null && !this.skipping) this.openPayload(n, result);
        continue;
      }
      if (b === QUOTE) this.inQuotes = false;
      this.push(b, result);
    }
    return { ...result, used: i };
  }

  /**
   * The module gave up on an unfinished payload (its idle timer): the line ends there. Returns
   * the miss and the bytes after the host's likely line end, to be read again.
   */
  expire(): { miss: PayloadMiss; again: Buffer | null } | null {
    const p = this.payload;
    if (!p) return null;
    const taken = Buffer.concat(p.chunks);
    const end = taken.indexOf(QUOTE_CR);
    const miss = { raw: p.before, declared: p.need, sent: end >= 0 ? end : p.got };
    const again = afterLineEnd(taken);
    this.clear();
    return { miss, again };
  }

  clear(): void {
    this.bytes = [];
    this.marks = [];
    this.raw = [];
    this.payloads = [];
    this.size = 0;
    this.inQuotes = false;
    this.fixed = 0;
    this.skipping = false;
    this.payload = null;
  }

  private keep(bytes: Buffer): void {
    for (let i = 0; i < bytes.length && this.raw.length < KEEP; i++) this.raw.push(bytes[i]);
  }

  private push(b: number, result: SplitResult): void {
    this.bytes.push(b);
    this.size++;
    if (this.size > MAX_LINE_BYTES) this.overLimit(result);
  }

  private overLimit(result: SplitResult): void {
    result.tooLong = Buffer.from(this.raw);
    this.skipping = true;
  }

  private openPayload(n: number, result: SplitResult): void {
    if (this.size + n + 1 > MAX_LINE_BYTES) return this.overLimit(result);
    this.payload = { need: n, got: 0, chunks: [], before: Buffer.from(this.raw) };
  }

  private closePayload(): void {
    const p = this.payload!;
    this.payloads.push(Buffer.concat(p.chunks));
    this.marks.push(this.bytes.length);
    this.payload = null;
    this.inQuotes = false;
    this.bytes.push(QUOTE);
    this.size += p.need + 1;
    this.fixed = this.bytes.length;
  }

  /** The byte after the payload is not its closing quote (engine: LineReader.badPayload). */
  private overran(rest: Buffer, used: number): SplitResult {
    const p = this.payload!;
    const all = Buffer.concat([...p.chunks, rest]);
    const end = all.indexOf(QUOTE_CR);
    const overrun: PayloadMiss = { raw: p.before, declared: p.need, sent: end >= 0 ? end : null };
    const again = afterLineEnd(all);
    if (again === null) {
      // No CR yet: the module skips to it, then answers ERROR.
      this.keep(rest);
      this.payload = null;
      this.skipping = true;
      return { used, overrun };
    }
    const line: HostLine = { text: null, raw: Buffer.from(this.raw), blank: false };
    this.clear();
    return { used, line, again, overrun };
  }

  private finish(): HostLine {
    const text = this.skipping ? null : this.text();
    const blank = text !== null && this.payloads.length === 0 && text.trim() === '';
    const line: HostLine = { text, raw: Buffer.from(this.raw), blank };
    this.clear();
    return line;
  }

  private opensArgument(): boolean {
    let i = this.bytes.length - 1;
    while (i >= 0 && this.bytes[i] === SPACE) i--;
    return i >= 0 && (this.bytes[i] === 0x3d || this.bytes[i] === 0x2c);
  }

  private text(): string {
    let out = '';
    let from = 0;
    for (const mark of this.marks) {
      out += Buffer.from(this.bytes.slice(from, mark)).toString('utf8') + PAYLOAD_MARK;
      from = mark;
    }
    return out + Buffer.from(this.bytes.slice(from)).toString('utf8');
  }
}

/** The bytes after the host's likely line end (`"` CR, else CR), or null when there is no CR. */
function afterLineEnd(raw: Buffer): Buffer | null {
  const quoted = raw.indexOf(QUOTE_CR);
  if (quoted >= 0) return raw.subarray(quoted + 2);
  const cr = raw.indexOf(CR);
  return cr >= 0 ? raw.subarray(cr + 1) : null;
}
