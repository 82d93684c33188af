/**
 * The matching cursors (issue 14: "matching runs on a cursor over the whole stream, never per
 * read"). What arrives is appended to one stream per module and kind; an expectation searches
 * from the cursor, however the bytes were chunked, and a match moves the cursor past it.
 */
import type { Match, Pattern } from './pattern.ts';

/** A stream an expectation can search: the module's output, or the host's command lines. */
export interface Cursor {
  /** The first match after the cursor, without moving it. */
  peek(pattern: Pattern): string | null;
  /** The first match after the cursor; moves the cursor past it. */
  take(pattern: Pattern): string | null;
  /** Calls `listener` whenever something arrives; returns what unsubscribes. */
  onChange(listener: () => void): () => void;
  /** The last bit of what lies after the cursor (for failure messages). */
  unreadTail(max: number): string;
}

/** Who hears of arrivals (the cursors', the backend log's). */
export class Listeners {
  private readonly set = new Set<() => void>();
  add(listener: () => void): () => void {
    this.set.add(listener);
    return () => void this.set.delete(listener);
  }
  notify(): void {
    for (const listener of [...this.set]) listener();
  }
}

/** Bytes (decoded latin1, so lossless) searched as one text. */
export class TextCursor implements Cursor {
  /** The text after the cursor; what lies before it is dropped (never searched again). */
  private pending = '';
  /** The last pattern that found nothing, and where its next search may start (a wait re-checks on every chunk). */
  private searched: { pattern: Pattern; from: number } | null = null;
  private readonly listeners = new Listeners();

  push(text: string): void {
    if (text.length === 0) return;
    this.pending += text;
    this.listeners.notify();
  }

  peek(pattern: Pattern): string | null {
    return this.find(pattern)?.text ?? null;
  }

  take(pattern: Pattern): string | null {
    const m = this.find(pattern);
    if (!m) return null;
    this.pending = this.pending.slice(m.end);
    return m.text;
  }

  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  unreadTail(max: number): string {
    return this.pending.slice(-max);
  }

  private find(pattern: Pattern): Match | null {
    const from = this.searched?.pattern === pattern ? this.searched.from : 0;
    const m = pattern.find(this.pending, from);
    this.searched = m ? null : { pattern, from: pattern.resumeAt(this.pending.length) };
    return m;
  }
}

/** Whole lines (the host's command lines), each searched on its own. */
export class LineCursor implements Cursor {
  private readonly lines: string[] = [];
  /** The first line after the cursor. */
  private next = 0;
  /** The last pattern that found nothing, and how many lines it searched (each line is searched on its own). */
  private searched: { pattern: Pattern; lines: number } | null = null;
  private readonly listeners = new Listeners();

  push(line: string): void {
    this.lines.push(line);
    this.listeners.notify();
  }

  peek(pattern: Pattern): string | null {
    const i = this.find(pattern);
    return i < 0 ? null : this.lines[i]!;
  }

  take(pattern: Pattern): string | null {
    const i = this.find(pattern);
    if (i < 0) return null;
    this.next = i + 1;
    return this.lines[i]!;
  }

  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  unreadTail(max: number): string {
    return this.lines.slice(this.next).slice(-5).join('\n').slice(-max);
  }

  private find(pattern: Pattern): number {
    const from = this.searched?.pattern === pattern ? this.searched.lines : this.next;
    for (let i = from; i < this.lines.length; i++) {
      if (pattern.find(this.lines[i]!)) {
        this.searched = null;
        return i;
      }
    }
    this.searched = { pattern, lines: this.lines.length };
    return -1;
  }
}
