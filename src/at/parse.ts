/**
 * Command-line parsing (manual §1.2): splits one input line (without its CR) into
 * commands and each command into name, form and raw arguments. It knows nothing
 * of which commands exist.
 */

export type CommandForm = 'exec' | 'read' | 'test' | 'write';

/** One argument as typed by the host: its text and whether it was in double quotes. */
export interface RawArg {
  text: string;
  quoted: boolean;
  /** An empty position, as in `AT+X=1,,3`. */
  empty: boolean;
  /** A counted payload (see PAYLOAD_MARK): the raw bytes between the quotes; `text` is their UTF-8 reading. */
  bytes?: Buffer;
}

/**
 * Stands in the line's text for a counted payload (`AT+QISEND=0,5,"<mark>"`): the engine took the
 * payload's bytes raw, by count, and passes them beside the text. A lone surrogate, so no input
 * can contain it (UTF-8 decoding never yields one).
 */
export const PAYLOAD_MARK = '\uDB80';

export interface ParsedCommand {
  /** `+QVERSION` for extended commands, `O` for basic ones, upper-cased. */
  name: string;
  /** The command as typed (for traces). */
  source: string;
  form: CommandForm;
  args: RawArg[];
  /** The arguments did not split (a stray quote): only a form taking the rest of the line (StringParam.rest) can take it. */
  malformed?: boolean;
}

export type ParseResult = { ok: true; commands: ParsedCommand[] } | { ok: false; reason: string };

const EXTENDED_NAME = /^\+[A-Z0-9_]+/i;
const BASIC_NAME = /^&?[A-Z]/i;

/**
 * Parses a full line. An empty line yields no commands; a line that does not start
 * with AT (after leading spaces) is not a command line.
 */
export function parseLine(line: string, payloads: readonly Buffer[] = []): ParseResult {
  const trimmed = line.trim();
  if (trimmed.length === 0) return { ok: true, commands: [] };
  if (!/^AT/i.test(trimmed)) return { ok: false, reason: 'line does not start with AT' };
  const body = trimmed.slice(2);
  const commands: ParsedCommand[] = [];
  let next = 0;
  for (const segment of splitChain(body)) {
    const text = segment.trim();
    if (text.length === 0) continue; // `AT` alone, or a trailing `;`
    const parsed = parseCommand(text);
    if (!parsed.ok) return parsed;
    // Payload marks stand in order for the payloads the engine took by count.
    for (const arg of parsed.command.args) {
      if (!arg.quoted || arg.text !== PAYLOAD_MARK) continue;
      const bytes = payloads[next++];
      if (!bytes) return { ok: false, reason: 'payload mark without a payload' };
      arg.bytes = bytes;
      arg.text = bytes.toString('utf8');
    }
    commands.push(parsed.command);
  }
  return { ok: true, commands };
}

/**
 * The command whose argument list is open at the end of `prefix`, a line typed so far that
 * ends where an opening quote starts an argument (after `=` or a comma, and spaces): its name
 * and the arguments before the quote. Null when the quote does not start an argument of a
 * write form. Lets the engine ask whether the quote opens a counted payload.
 */
export function openArguments(prefix: string): { name: string; args: RawArg[] } | null {
  const trimmed = prefix.trimStart();
  if (!/^AT/i.test(trimmed)) return null;
  const segments = splitChain(trimmed.slice(2));
  const last = segments[segments.length - 1].trimStart();
  const ext = EXTENDED_NAME.exec(last);
  if (!ext || last[ext[0].length] !== '=') return null;
  const body = last.slice(ext[0].length + 1);
  if (body.trim() === '') return { name: ext[0].toUpperCase(), args: [] };
  const comma = body.lastIndexOf(',');
  if (comma < 0 || body.slice(comma + 1).trim() !== '') return null;
  const args = splitArgs(body.slice(0, comma));
  return args && { name: ext[0].toUpperCase(), args };
}

/**
 * `;` separates commands (§1.2) only outside quotes and only when another extended
 * command follows (`;+QVERSION`, or the lenient `;AT+QVERSION`), so an unquoted
 * Wi-Fi key such as `pa;ss` stays one argument.
 */
function splitChain(body: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === ';' && !inQuotes) {
      const rest = body.slice(i + 1);
      if (/^\s*(AT)?\+/i.test(rest) || rest.trim() === '') {
        out.push(body.slice(start, i));
        start = i + 1;
      }
    }
  }
  out.push(body.slice(start));
  // Later commands may repeat the AT prefix; strip it.
  return out.map((s, i) => (i > 0 ? s.replace(/^\s*AT(?=\+)/i, '') : s));
}

function parseCommand(text: string): { ok: true; command: ParsedCommand } | { ok: false; reason: string } {
  const ext = EXTENDED_NAME.exec(text);
  if (ext) return parseExtended(text, ext[0].toUpperCase());
  const basic = BASIC_NAME.exec(text);
  if (basic) {
    // Basic commands (§1.2): AT<x><n>; <n> is digits only.
    const rest = text.slice(basic[0].length);
    if (!/^\d*$/.test(rest)) return { ok: false, reason: `bad basic command ${text}` };
    const args: RawArg[] = rest === '' ? [] : [{ text: rest, quoted: false, empty: false }];
    return { ok: true, command: { name: basic[0].toUpperCase(), source: text, form: rest === '' ? 'exec' : 'write', args } };
  }
  return { ok: false, reason: `no command name in ${text}` };
}

function parseExtended(text: string, name: string): { ok: true; command: ParsedCommand } | { ok: false; reason: string } {
  // Spaces are significant inside the name up to and including `=`, `?` or `=?` (§1.2).
  const rest = text.slice(name.length);
  if (rest === '') return { ok: true, command: { name, source: text, form: 'exec', args: [] } };
  if (rest === '?') return { ok: true, command: { name, source: text, form: 'read', args: [] } };
  if (rest === '=?') return { ok: true, command: { name, source: text, form: 'test', args: [] } };
  if (rest.startsWith('=')) {
    const args = splitArgs(rest.slice(1));
    if (!args) return { ok: true, command: { name, source: text, form: 'write', args: [], malformed: true } };
    return { ok: true, command: { name, source: text, form: 'write', args } };
  }
  return { ok: false, reason: `bad command syntax ${text}` };
}

/**
 * Splits `a, "b,c" ,d` into arguments. Spaces around an argument are ignored; inside
 * quotes, or inside an unquoted argument, they are kept. After a closing quote only
 * spaces may come before the next comma. Returns null on unbalanced quotes.
 */
export function splitArgs(text: string, restAfter = Infinity): RawArg[] | null {
  const args: RawArg[] = [];
  let i = 0;
  for (;;) {
    if (args.length === restAfter) {
      args.push(restArg(text.slice(i)));
      return args;
    }
    while (text[i] === ' ') i++;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return null;
      args.push({ text: text.slice(i + 1, close), quoted: true, empty: false });
      i = close + 1;
      while (text[i] === ' ') i++;
      if (i >= text.length) return args;
      if (text[i] !== ',') return null;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      const value = text.slice(i, end).trim();
      if (value.includes('"')) return null;
      args.push({ text: value, quoted: false, empty: value === '' });
      if (comma < 0) return args;
      i = comma + 1;
    }
  }
}


/** What is left of a line taken as one argument (see StringParam.rest): quotes around all of it are removed. */
function restArg(text: string): RawArg {
  const quoted = /^\s*"[^]*"\s*$/.test(text);
  const value = quoted ? text.trim().slice(1, -1) : text;
  return { text: value, quoted, empty: value === '' && !quoted };
}

/**
 * The arguments of a write command whose last parameter takes the rest of the line (commas,
 * quotes and all): the first `before` split as usual, then the rest as one. Null on a bad split.
 */
export function argsWithRest(command: ParsedCommand, before: number): RawArg[] | null {
  const eq = command.source.indexOf('=');
  if (command.form !== 'write' || eq < 0) return null;
  return splitArgs(command.source.slice(eq + 1), before);
}
