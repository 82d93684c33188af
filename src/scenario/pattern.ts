/**
 * A scenario's patterns: a literal substring by default, `re:<regex>` for a JavaScript regular
 * expression. On the module's output (one stream, many lines) a regex runs in multiline mode, so
 * `^` and `$` mean the start and end of a line (JavaScript counts CR as a line end too, so
 * `re:^OK$` matches `\r\nOK\r\n`); on a command line they mean the line's.
 */

export interface Match {
  /** Where the match starts and ends in the searched text. */
  index: number;
  end: number;
  text: string;
}

export interface Pattern {
  /** As written in the scenario (`re:^AT\+QMT`, `OK`). */
  readonly source: string;
  /** The first match in `text` at or after `from`, or null. */
  find(text: string, from?: number): Match | null;
  /**
   * Where a search may start once `text` has grown, when `find` found nothing in its first
   * `length` characters: a literal cannot start where it would not have fitted; a regex's
   * match may start anywhere, so it searches again from 0.
   */
  resumeAt(length: number): number;
}

const REGEX_PREFIX = 're:';

/** Compiles a pattern; throws a SyntaxError naming the problem for a bad regex. */
export function compilePattern(source: string, opts: { multiline?: boolean } = {}): Pattern {
  if (!source.startsWith(REGEX_PREFIX)) {
    return {
      source,
      find(text, from = 0) {
        const index = text.indexOf(source, from);
        return index < 0 ? null : { index, end: index + source.length, text: source };
      },
      resumeAt: (length) => Math.max(0, length - source.length + 1),
    };
  }
  const regex = new RegExp(source.slice(REGEX_PREFIX.length), opts.multiline ? 'gm' : 'g');
  return {
    source,
    find(text, from = 0) {
      regex.lastIndex = from;
      const m = regex.exec(text);
      if (!m) return null;
      // An empty match must still move a cursor forward, or the same spot matches forever.
      return { index: m.index, end: m.index + m[0].length, text: m[0] };
    },
    resumeAt: () => 0,
  };
}

/** Why `source` is not a usable pattern, or null when it is. */
export function patternProblem(source: string): string | null {
  if (source.length === 0) return 'a pattern cannot be empty';
  if (source === REGEX_PREFIX) return 'a "re:" pattern needs a regular expression after it';
  try {
    compilePattern(source);
    return null;
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
}
