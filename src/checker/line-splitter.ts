/**
 * The host's command lines as the module will read them, seen from outside. The lines are the
 * module's own: a LineReader (src/at/line-reader.ts) assembles them by the engine's rules. This
 * adds what the checker needs and the engine does not keep: the bytes as typed (for reports) and
 * the moments a line went wrong (over the limit, a payload overran its count), which the reader
 * tells through its `observe` option.
 */
import type { Clock } from '../clock.ts';
import { PAYLOAD_ENDED_MS, PAYLOAD_IDLE_MS } from '../at/engine.ts';
import { type LineEvent, LineReader, type PayloadInfo } from '../at/line-reader.ts';

const CR = 0x0d;
const LF = 0x0a;
const QUOTE_CR = Buffer.from('"\r', 'latin1');
const EMPTY = Buffer.alloc(0);
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

interface Told {
  tooLong?: Buffer;
  overrun?: { at: number; miss: PayloadMiss };
}

export class HostLineSplitter {
  private readonly reader: LineReader;
  /** The line as typed since the last CR: payloads raw, other bytes without CR and LF (up to KEEP). */
  private raw: number[] = [];
  /** The line as typed up to the open payload's opening quote. */
  private before: Buffer = EMPTY;
  /** The chunk being read, and how far `raw` has followed it. */
  private chunk: Buffer = EMPTY;
  private seen = 0;
  /** What the reader told during this read. */
  private told: Told = {};

  /**
   * `clock`: the module's. The reader's payload timers do nothing here: the checker learns that
   * the module gave up on a payload from its answer, and calls expire() itself.
   */
  constructor(countedLength: (lineSoFar: string) => number | null, clock: Clock) {
    this.reader = new LineReader({
      countedPayload: countedLength,
      clock: { now: () => clock.now(), setTimeout: () => null, clearTimeout: () => {} },
      payloadIdleMs: PAYLOAD_IDLE_MS,
      payloadEndedMs: PAYLOAD_ENDED_MS,
      onPayloadIdle: () => {},
      observe: (event) => this.observe(event),
    });
  }

  /** Inside a counted inline payload. */
  get inPayload(): boolean {
    return this.reader.inPayload;
  }

  /** What the host typed since its last CR (empty when nothing but LFs). */
  get pending(): Buffer {
    return Buffer.from(this.raw);
  }

  read(bytes: Buffer): SplitResult {
    this.chunk = bytes;
    this.seen = 0;
    const told: Told = {};
    this.told = told;
    try {
      const read = this.reader.read(bytes);
      const result: SplitResult = { used: read.used };
      if (told.tooLong) result.tooLong = told.tooLong;
      if (told.overrun) {
        result.overrun = told.overrun.miss;
        // No CR yet: the module skips to it; what it skips is kept as sent.
        if (!read.line) this.keepAll(bytes.subarray(told.overrun.at));
      } else {
        this.typed(read.used);
      }
      if (read.line) {
        result.line = { text: read.line.text, raw: Buffer.from(this.raw), blank: read.line.empty };
        this.forget();
      }
      if (read.again) result.again = read.again;
      return result;
    } finally {
      this.chunk = EMPTY;
    }
  }

  /**
   * The module gave up on an unfinished payload (its idle timer): the line ends there. Returns
   * the miss and the bytes after the host's likely line end, to be read again.
   */
  expire(): { miss: PayloadMiss; again: Buffer | null } | null {
    if (!this.reader.inPayload) return null;
    const { again, payload } = this.reader.expire();
    const miss = this.miss(payload!, (taken) => taken.length);
    this.forget();
    return { miss, again: again ?? null };
  }

  clear(): void {
    this.reader.clear();
    this.forget();
  }

  private forget(): void {
    this.raw = [];
    this.before = EMPTY;
  }

  private observe(event: LineEvent): void {
    switch (event.kind) {
      case 'payload-open':
        this.typed(event.at);
        this.before = Buffer.from(this.raw);
        return;
      case 'payload-data':
        this.typed(event.from);
        this.keepAll(this.chunk.subarray(event.from, event.to));
        this.seen = event.to;
        return;
      case 'overlong':
        this.typed(event.at);
        this.told.tooLong = Buffer.from(this.raw);
        return;
      case 'overrun':
        this.typed(event.at);
        this.told.overrun = { at: event.at, miss: this.miss(event.payload, () => null) };
        return;
    }
  }

  /** `sent`: up to the host's `"` CR in what was taken, else `otherwise`. */
  private miss(payload: PayloadInfo, otherwise: (taken: Buffer) => number | null): PayloadMiss {
    const end = payload.taken.indexOf(QUOTE_CR);
    return { raw: this.before, declared: payload.declared, sent: end >= 0 ? end : otherwise(payload.taken) };
  }

  /** Follows the chunk up to `to` outside payloads: bytes as typed, without CR and LF. */
  private typed(to: number): void {
    for (; this.seen < to; this.seen++) {
      const b = this.chunk[this.seen];
      if (b !== CR && b !== LF && this.raw.length < KEEP) this.raw.push(b);
    }
  }

  private keepAll(bytes: Buffer): void {
    for (let i = 0; i < bytes.length && this.raw.length < KEEP; i++) this.raw.push(bytes[i]);
  }
}
