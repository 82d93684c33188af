/**
 * A run's readable transcript: `> ` lines for what the host sent the module, `< ` for what the
 * module sent the host, interleaved as they happened, non-printable bytes escaped (`\r`, `\n`,
 * `\x1b`), no timestamps. A line ends after each LF, or when the other side speaks. With several
 * modules each line starts with the module's index: `[1] > AT`.
 */

/** `AT\r\n` → `AT\r\n` as visible text; printable ASCII stays, a backslash doubles. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export type Direction = '>' | '<';

export class Transcript {
  private readonly lines: string[] = [];
  /** The side whose line is still open, and its bytes so far. */
  private open: { module: number; dir: Direction; parts: Buffer[] } | null = null;

  constructor(private readonly modules: number) {}

  add(module: number, dir: Direction, bytes: Buffer): void {
    if (this.open && (this.open.module !== module || this.open.dir !== dir)) this.flush();
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0x0a) continue;
      this.part(module, dir, bytes.subarray(start, i + 1));
      this.flush();
      start = i + 1;
    }
    if (start < bytes.length) this.part(module, dir, bytes.subarray(start));
  }

  toString(): string {
    this.flush();
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }

  private part(module: number, dir: Direction, bytes: Buffer): void {
    this.open ??= { module, dir, parts: [] };
    this.open.parts.push(Buffer.from(bytes));
  }

  private flush(): void {
    if (!this.open) return;
    const { module, dir, parts } = this.open;
    this.open = null;
    const prefix = this.modules > 1 ? `[${module}] ${dir} ` : `${dir} `;
    this.lines.push(prefix + escapeBytes(Buffer.concat(parts)));
  }
}
