/** Text of violations: escaping what the host sent, and the one-line form the CLI prints. */
import type { Violation } from './types.ts';

/** At most this many characters of the offending line in a violation. */
const LINE_CHARS = 120;

/** Bytes or text as a readable line: printable ASCII kept, the rest as \r, \n, \xNN; long lines cut with `…`. */
export function escapeText(input: string | Buffer, max = LINE_CHARS): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (const b of bytes) {
    if (out.length >= max) return `${out}…`;
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The first `max` bytes as latin1 text, every non-printable as `.`, and `…` when cut: a short quote in a message. */
export function dotted(bytes: Buffer, max: number): string {
  const text = bytes.subarray(0, max).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return bytes.length > max ? `${text}…` : text;
}

/** `module 0 +1234ms command-before-final: AT+QSTAST… (the previous command had no final result yet)` */
export function formatViolation(v: Violation): string {
  const line = v.line.length > 60 ? `${v.line.slice(0, 60)}…` : v.line;
  return `${v.module} +${Math.round(v.atMs)}ms ${v.rule}: ${line} (${v.message})`;
}
