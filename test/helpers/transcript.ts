/**
 * Conformance transcripts: plain-text files of what a host sends and what it must see,
 * replayed against any byte duplex (the in-process stream of createModule, a TCP socket).
 *
 * Format, one step per line (see docs/transcripts.md):
 *
 *   > AT+QVERSION             send the text, then CR (`>` alone sends just CR)
 *   < +QVERSION:FC41DAAR03A09M02.bin_202406260343   the next output line is exactly this
 *   ~ ^\+QVERSION:\S+$        the next output line matches this regex (not anchored for you)
 *   # comment                 ignored, as are blank lines
 *   wait 200                  pause 200 ms (output piles up for the next steps)
 *   wait-for ready            skip output lines until this exact one
 *   raw AT\r\n                send bytes, no CR added; escapes \r \n \t \\ \xNN
 *   silence 300               no output byte at all may come in the next 300 ms
 *   # world: office.json      (a comment to the replay) the module must live in this world:
 *                             a world file next to the transcript (see worldFileOf); it may
 *                             hold placeholders like "$ECHO_PORT" (see fillPlaceholders)
 *   # echo: off               (a comment to the replay) the module starts from a flash whose
 *                             saved echo is off (see echoOf); without it, a factory module:
 *                             echo on, so each sent line comes back before its answer
 *
 * Output is cut into lines at every CR or LF and empty lines are dropped, so the framing
 * `\r\n<line>\r\n` and an echoed `AT\r` both read as plain lines (sent text and output
 * lines are UTF-8). Text with no line end after it (the `> ` prompt) counts as a line once
 * the module has been quiet for `quietMs`.
 * Expected lines must come in order with nothing between them; at the end nothing
 * unexpected may be left. Failures throw a TranscriptError showing what came.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';

export type Step =
  | { kind: 'send'; bytes: Buffer; at: number; source: string }
  | { kind: 'expect'; text: string; at: number; source: string }
  | { kind: 'match'; regex: RegExp; at: number; source: string }
  | { kind: 'wait'; ms: number; at: number; source: string }
  | { kind: 'wait-for'; text: string; at: number; source: string }
  | { kind: 'silence'; ms: number; at: number; source: string };

export interface Transcript {
  name: string;
  steps: Step[];
}

export interface RunOptions {
  /** How long one expected line may take to come. */
  timeoutMs?: number;
  /** Quiet time after which unterminated text counts as a line. */
  quietMs?: number;
  /** Quiet time at the end during which nothing unexpected may arrive. */
  settleMs?: number;
}

export class TranscriptError extends Error {}

/** Decodes the escapes of `raw`: \r \n \t \\ \xNN. */
export function unescapeBytes(text: string, where = 'raw'): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const e = text[++i];
    if (e === 'r') out.push(0x0d);
    else if (e === 'n') out.push(0x0a);
    else if (e === 't') out.push(0x09);
    else if (e === '\\') out.push(0x5c);
    else if (e === 'x' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new TranscriptError(`${where}: bad escape \\${e ?? ''}`);
  }
  return Buffer.from(out);
}

/**
 * The world file a transcript asks for with a line `# world: <file>` (a path relative to the
 * transcript's folder), or null. It is a comment to the step parser: whoever replays the
 * transcript creates the module in that world (conformance.test.ts; `fc41d serve --world`).
 */
export function worldFileOf(path: string): string | null {
  const match = /^# world: *(\S+) *$/m.exec(readFileSync(path, 'utf8'));
  return match ? join(dirname(path), match[1]) : null;
}

/**
 * The saved echo setting a transcript's module starts with, from a line `# echo: off` or
 * `# echo: on`; null without one: a module fresh from the factory, whose echo is on
 * (FIDELITY.md). A comment to the step parser: whoever replays creates the module so
 * (`createModule({ echo })`; `fc41d serve` with a flash whose echo is off).
 */
export function echoOf(path: string): boolean | null {
  const match = /^# echo: *(on|off) *$/m.exec(readFileSync(path, 'utf8'));
  return match ? match[1] === 'on' : null;
}

/**
 * The placeholders a world file uses: JSON strings `"$NAME"` (upper case, digits, `_`) that the
 * replayer replaces by numbers it only knows at run time, e.g. `"$ECHO_PORT"`.
 */
export function worldPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(/"\$([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1]!))].sort();
}

/** Replaces every `"$NAME"` JSON string by its number; a placeholder without a value is an error. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, number>>, where = 'world'): string {
  return text.replace(/"\$([A-Z][A-Z0-9_]*)"/g, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TranscriptError(`${where}: no value for the placeholder "$${name}"`);
    return String(value);
  });
}

export function loadTranscript(path: string): Transcript {
  return parseTranscript(readFileSync(path, 'utf8'), basename(path));
}

export function parseTranscript(text: string, name = 'transcript'): Transcript {
  const steps: Step[] = [];
  text.split(/\r?\n/).forEach((source, index) => {
    const at = index + 1;
    const where = `${name}:${at}`;
    const ms = (arg: string) => {
      if (!/^\d+$/.test(arg)) throw new TranscriptError(`${where}: expected milliseconds, got ${JSON.stringify(arg)}`);
      return Number(arg);
    };
    if (source.trim() === '' || source.startsWith('#')) return;
    if (source === '>' || source.startsWith('> ')) {
      steps.push({ kind: 'send', bytes: Buffer.from(`${source.slice(2)}\r`, 'utf8'), at, source });
    } else if (source.startsWith('< ')) {
      steps.push({ kind: 'expect', text: source.slice(2), at, source });
    } else if (source.startsWith('~ ')) {
      let regex: RegExp;
      try {
        regex = new RegExp(source.slice(2));
      } catch (error) {
        throw new TranscriptError(`${where}: ${(error as Error).message}`);
      }
      steps.push({ kind: 'match', regex, at, source });
    } else if (source.startsWith('wait-for ')) {
      steps.push({ kind: 'wait-for', text: source.slice('wait-for '.length), at, source });
    } else if (source.startsWith('wait ')) {
      steps.push({ kind: 'wait', ms: ms(source.slice(5).trim()), at, source });
    } else if (source.startsWith('silence ')) {
      steps.push({ kind: 'silence', ms: ms(source.slice(8).trim()), at, source });
    } else if (source.startsWith('raw ')) {
      steps.push({ kind: 'send', bytes: unescapeBytes(source.slice(4), where), at, source });
    } else {
      throw new TranscriptError(`${where}: cannot read ${JSON.stringify(source)}`);
    }
  });
  return { name, steps };
}

/** Replays a transcript; resolves when every step passed, throws TranscriptError otherwise. */
export async function runTranscript(stream: Duplex, transcript: Transcript, opts: RunOptions = {}): Promise<void> {
  const reader = new LineReader(stream, opts.quietMs ?? 50);
  const log: string[] = [];
  const fail = async (step: Step | null, problem: string): Promise<never> => {
    await sleep(100); // let the rest of the answer arrive, to show it
    const where = step ? `${transcript.name}:${step.at}: ${step.source}` : `${transcript.name}: end`;
    const shown = log.slice(-25).join('\n');
    const rest = reader.peekAll().map((l) => `  ?? ${JSON.stringify(l)}`).join('\n');
    throw new TranscriptError(
      `${where}\n${problem}\n--- replay (>> sent, == matched, -- skipped, !! failed) ---\n${shown}` +
        (rest ? `\n--- output not yet read ---\n${rest}` : ''),
    );
  };
  try {
    for (const step of transcript.steps) {
      switch (step.kind) {
        case 'send':
          log.push(`  >> ${JSON.stringify(step.bytes.toString('latin1'))}`);
          stream.write(step.bytes);
          break;
        case 'wait':
          await sleep(step.ms);
          break;
        case 'silence': {
          const before = reader.peekAll();
          if (before.length > 0) await fail(step, `expected silence, but output was waiting: ${JSON.stringify(before)}`);
          const bytes = reader.bytesSeen;
          await sleep(step.ms);
          if (reader.bytesSeen !== bytes) await fail(step, `expected ${step.ms} ms of silence, got ${JSON.stringify(reader.peekAll())}`);
          break;
        }
        case 'expect':
        case 'match': {
          const line = await reader.next(opts.timeoutMs ?? 3000);
          const want = step.kind === 'expect' ? JSON.stringify(step.text) : String(step.regex);
          if (line === null) await fail(step, `expected ${want}, got nothing (timed out)`);
          const ok = step.kind === 'expect' ? line === step.text : step.regex.test(line!);
          if (!ok) {
            log.push(`  !! ${JSON.stringify(line)}   (expected ${want})`);
            await fail(step, `expected ${want}\n     got ${JSON.stringify(line)}`);
          }
          log.push(`  == ${JSON.stringify(line)}`);
          break;
        }
        case 'wait-for': {
          for (;;) {
            const line = await reader.next(opts.timeoutMs ?? 3000);
            if (line === null) await fail(step, `never saw ${JSON.stringify(step.text)}`);
            if (line === step.text) {
              log.push(`  == ${JSON.stringify(line)}`);
              break;
            }
            log.push(`  -- ${JSON.stringify(line)}`);
          }
          break;
        }
      }
    }
    await sleep(opts.settleMs ?? 100);
    const left = reader.peekAll();
    if (left.length > 0) await fail(null, `unexpected output after the last step: ${JSON.stringify(left)}`);
  } finally {
    reader.close();
  }
}

/** Lines are cut from latin1 text (so a chunk may end inside a character) and read as UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Cuts a stream's output into lines at every CR or LF. */
class LineReader {
  bytesSeen = 0;
  private lines: string[] = [];
  private partial = '';
  private lastByteAt = 0;
  private wake: (() => void) | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.bytesSeen += chunk.length;
    this.lastByteAt = performance.now();
    const parts = (this.partial + chunk.toString('latin1')).split(/[\r\n]/);
    this.partial = parts.pop()!;
    this.lines.push(...parts.filter((p) => p.length > 0).map(utf8));
    this.wake?.();
  };

  constructor(private readonly stream: Duplex, private readonly quietMs: number) {
    stream.on('data', this.onData);
    stream.resume(); // a reader before us may have paused it
  }

  /** Stops reading; output that comes later stays buffered in the paused stream. */
  close(): void {
    this.stream.off('data', this.onData);
    this.stream.pause();
  }

  peekAll(): string[] {
    return this.partial ? [...this.lines, utf8(this.partial)] : [...this.lines];
  }

  /** The next line, or null when none came in time. */
  async next(timeoutMs: number): Promise<string | null> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.lines.length > 0) return this.lines.shift()!;
      const now = performance.now();
      if (this.partial && now - this.lastByteAt >= this.quietMs) {
        const line = utf8(this.partial);
        this.partial = '';
        return line;
      }
      if (now >= deadline) return null;
      const until = this.partial ? Math.min(deadline, this.lastByteAt + this.quietMs) : deadline;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, until - now));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
  }
}
