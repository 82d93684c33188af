/**
 * Cuts what a module prints into lines, byte by byte (any chunking: one byte per read works).
 * Lines end at CR or LF; empty ones (the CRLF before each framed line) are skipped, so an echo
 * (`AT+X\r`) is a line too. Besides lines it knows the module's counted and unframed output:
 * - `> ` at the start of a line while a prompt is awaited (no CRLF follows it);
 * - counted data after a header line: `+QIURC: "recv",<id>,<len>` (direct push, also
 *   `+QSSLURC`), `+QHTTPURC: "recv",<len>`, `+QIRD:<len>` (whose data line has a CRLF before it);
 * - `+QMTRECV: <id>,<msgid>,"<topic>",<len>,"<payload>"`, the payload raw (CR/LF and quotes in it
 *   are payload: the line ends after `<len>` bytes and the closing quote);
 * - raw mode (transparent sessions, AT+QHTTPREAD bodies): bytes pass through until an end
 *   marker (`\r\nNO CARRIER\r\n`, `\r\nOK\r\n`), which comes out as a line;
 * - bytes with no terminator (raw BLE data) come out as raw when flush() is called after a pause.
 */
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const PROMPT = 0x3e; // '>'
const EMPTY = Buffer.alloc(0);
/** A line longer than this (no terminator in sight: noise, binary) is let go as raw data. */
export const MAX_LINE = 64 * 1024;
/** A count above this is not believed (the module's own chunks are 1–4 KiB): the header stays a plain line. */
export const MAX_COUNT = 1024 * 1024;

export type FramerEvent =
  /** A line without its terminator; `data` is counted data it announced or carried (+QMTRECV payload). */
  | { kind: 'line'; text: string; raw: Buffer; data?: Buffer }
  | { kind: 'prompt' }
  | { kind: 'raw'; bytes: Buffer };

interface Counted {
  head: Buffer;
  need: number;
  chunks: Buffer[];
  got: number;
  /** CRLF bytes still to skip before the data (`+QIRD:` frames its data line). */
  lead: number;
}

const MQTT_RECV_HEAD = /^\+QMTRECV: \d+,\d+,"[^"\r\n]*",(\d+),"/;
const SOCKET_RECV = /^\+(?:QIURC|QSSLURC): "recv",\d+,(\d+)/;
const HTTP_RECV = /^\+QHTTPURC: "recv",(\d+)$/;
const QIRD_DATA = /^\+QIRD: ?(\d+)(?:,"[^"]*",\d+)?$/;

export class LineFramer {
  /** Set while a `> ` prompt is awaited (sendData): a `>` starting a line is then the prompt. */
  promptArmed = false;
  private partial: Buffer = EMPTY;
  /** For +QMTRECV: where in the line the closing quote is due (-1: not such a line; undefined: not read yet). */
  private inlineEnd: number | undefined;
  /** For +QMTRECV: where in the line the payload starts (the header's length). */
  private inlineStart = 0;
  private skipLf = false;
  private skipSpace = false;
  private counted: Counted | null = null;
  private raw: { markers: Buffer[]; held: Buffer } | null = null;

  constructor(private readonly emit: (e: FramerEvent) => void) {}

  /** Whether bytes wait with no terminator yet (a caller flushes them after a pause). */
  get hasPartial(): boolean {
    return (this.raw !== null && this.raw.held.length > 0) || (this.counted === null && this.partial.length > 0);
  }

  get inRaw(): boolean {
    return this.raw !== null;
  }

  /** From the next byte on, everything is raw until one of `markers` (which comes out as its line). */
  enterRaw(markers: string[]): void {
    this.raw = { markers: markers.map((m) => Buffer.from(m, 'latin1')), held: EMPTY };
  }

  setMarkers(markers: string[]): void {
    if (this.raw) this.raw.markers = markers.map((m) => Buffer.from(m, 'latin1'));
  }

  /** Leave raw mode without a marker (a session given up on). */
  leaveRaw(): void {
    const held = this.raw?.held;
    this.raw = null;
    if (held && held.length > 0) this.emit({ kind: 'raw', bytes: held });
  }

  push(bytes: Buffer): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.skipLf) {
        this.skipLf = false;
        if (bytes[i] === LF) {
          i++;
          continue;
        }
      }
      if (this.skipSpace) {
        this.skipSpace = false;
        if (bytes[i] === SPACE) {
          i++;
          continue;
        }
      }
      if (this.raw) return this.pushRaw(bytes.subarray(i));
      i = this.counted ? this.pushCounted(this.counted, bytes, i) : this.pushLine(bytes, i);
    }
  }

  /** After a pause: bytes that never got a terminator are raw data (BLE writes and notifications). */
  flush(): void {
    if (this.raw) {
      const held = this.raw.held;
      this.raw.held = EMPTY;
      if (held.length > 0) this.emit({ kind: 'raw', bytes: held });
      return;
    }
    if (this.counted || this.partial.length === 0) return;
    const bytes = this.partial;
    this.partial = EMPTY;
    this.inlineEnd = undefined;
    this.emit({ kind: 'raw', bytes });
  }

  private pushLine(bytes: Buffer, start: number): number {
    if (this.partial.length === 0 && this.promptArmed && bytes[start] === PROMPT) {
      this.promptArmed = false;
      this.skipSpace = true;
      this.emit({ kind: 'prompt' });
      return start + 1;
    }
    for (let j = start; j < bytes.length; j++) {
      const b = bytes[j];
      if (b !== CR && b !== LF) continue;
      const line = this.partial.length === 0 ? bytes.subarray(start, j) : Buffer.concat([this.partial, bytes.subarray(start, j)]);
      if (this.insidePayload(line)) continue;
      this.partial = EMPTY;
      this.skipLf = b === CR;
      this.endLine(line);
      return j + 1;
    }
    this.partial = this.partial.length === 0 ? Buffer.from(bytes.subarray(start)) : Buffer.concat([this.partial, bytes.subarray(start)]);
    if (this.partial.length > MAX_LINE) this.flush();
    return bytes.length;
  }

  /** A CR/LF at the end of `line` that lies inside a +QMTRECV payload is payload. */
  private insidePayload(line: Buffer): boolean {
    if (this.inlineEnd === undefined) {
      const m = line[0] === 0x2b ? MQTT_RECV_HEAD.exec(line.toString('latin1')) : null;
      this.inlineStart = m ? m[0].length : 0;
      this.inlineEnd = m && Number(m[1]) <= MAX_COUNT ? this.inlineStart + Number(m[1]) : -1;
    }
    return line.length < this.inlineEnd;
  }

  private endLine(line: Buffer): void {
    const inlineEnd = this.inlineEnd ?? -1;
    this.inlineEnd = undefined;
    if (line.length === 0) return;
    const text = line.toString('utf8');
    if (inlineEnd >= 0 && line[inlineEnd] === 0x22) {
      return this.emit({ kind: 'line', text, raw: Buffer.from(line), data: Buffer.from(line.subarray(this.inlineStart, inlineEnd)) });
    }
    const need = countedLength(text);
    if (need === null) return this.emit({ kind: 'line', text, raw: Buffer.from(line) });
    const counted: Counted = { head: Buffer.from(line), need, chunks: [], got: 0, lead: text.startsWith('+QIRD') ? 2 : 0 };
    if (need === 0) return this.emit({ kind: 'line', text, raw: counted.head, data: EMPTY });
    this.counted = counted;
  }

  private pushCounted(c: Counted, bytes: Buffer, i: number): number {
    while (c.lead > 0 && i < bytes.length) {
      if (bytes[i] !== (c.lead === 2 ? CR : LF)) {
        c.lead = 0;
        break;
      }
      c.lead--;
      i++;
    }
    if (i >= bytes.length) return i;
    c.lead = 0;
    const take = Math.min(c.need - c.got, bytes.length - i);
    c.chunks.push(Buffer.from(bytes.subarray(i, i + take)));
    c.got += take;
    if (c.got === c.need) {
      this.counted = null;
      this.emit({ kind: 'line', text: c.head.toString('utf8'), raw: c.head, data: Buffer.concat(c.chunks) });
    }
    return i + take;
  }

  private pushRaw(bytes: Buffer): void {
    const raw = this.raw!;
    const data = raw.held.length === 0 ? bytes : Buffer.concat([raw.held, bytes]);
    raw.held = EMPTY;
    let at = -1;
    let marker: Buffer | null = null;
    for (const m of raw.markers) {
      const k = data.indexOf(m);
      if (k >= 0 && (at < 0 || k < at)) [at, marker] = [k, m];
    }
    if (marker) {
      if (at > 0) this.emit({ kind: 'raw', bytes: Buffer.from(data.subarray(0, at)) });
      this.raw = null;
      const text = marker.toString('latin1').trim();
      this.emit({ kind: 'line', text, raw: Buffer.from(text, 'latin1') });
      const rest = data.subarray(at + marker.length);
      if (rest.length > 0) this.push(rest);
      return;
    }
    // Keep back a tail that may be the start of a marker split across reads.
    const keep = heldTail(data, raw.markers);
    if (data.length > keep) this.emit({ kind: 'raw', bytes: Buffer.from(data.subarray(0, data.length - keep)) });
    raw.held = Buffer.from(data.subarray(data.length - keep));
  }
}

/** The count of data bytes a header line announces, or null for an ordinary line. */
function countedLength(text: string): number | null {
  const m = SOCKET_RECV.exec(text) ?? HTTP_RECV.exec(text) ?? QIRD_DATA.exec(text);
  return m && Number(m[1]) <= MAX_COUNT ? Number(m[1]) : null;
}

/** The longest end of `data` that is a proper prefix of a marker. */
function heldTail(data: Buffer, markers: Buffer[]): number {
  let best = 0;
  for (const m of markers) {
    for (let n = Math.min(m.length - 1, data.length); n > best; n--) {
      if (data.subarray(data.length - n).equals(m.subarray(0, n))) {
        best = n;
        break;
      }
    }
  }
  return best;
}
