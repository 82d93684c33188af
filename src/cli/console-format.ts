/** How `fc41d console` shows module output to a person: one line per framed line, URCs set apart. */
import type { OutputInfo } from '../at/engine.ts';

const COLOURS = { urc: '\x1b[33m', boot: '\x1b[36m', reset: '\x1b[0m' } as const;

/**
 * What a URC carries after its first line (direct push, §3.3.2: `+QIURC: "recv",<id>,<len>`
 * then the data and CRLF), as raw text on its own line; '' for a plain URC.
 */
function urcData(bytes: Buffer): string {
  const text = bytes.toString('latin1').replace(/^\r\n/, '');
  const end = text.indexOf('\r\n');
  if (end < 0) return '';
  const data = text.slice(end + 2).replace(/\r\n$/, '');
  return data === '' ? '' : `${data}\n`;
}

/** The text to print for one `output` event ('' for nothing). */
export function formatOutput(bytes: Buffer, info: OutputInfo, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${COLOURS.reset}` : text);
  switch (info.kind) {
    case 'echo':
      return ''; // the person's terminal already shows what they typed
    case 'boot':
      return paint(COLOURS.boot, info.line ?? '') + '\n';
    case 'urc':
      return paint(COLOURS.urc, `[URC] ${info.line ?? ''}`) + '\n' + urcData(bytes);
    case 'prompt':
      return info.line === '>' ? '> ' : `${info.line ?? ''}\n`; // `> ` waits for data on the same line
    case 'data':
      return bytes.toString('latin1');
    case 'response':
    case 'final':
      return `${info.line ?? ''}\n`;
  }
}
