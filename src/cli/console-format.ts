/** How `fc41d console` shows module output to a person: one line per framed line, URCs set apart. */
import type { OutputInfo } from '../at/engine.ts';

const COLOURS = { urc: '\x1b[33m', boot: '\x1b[36m', reset: '\x1b[0m' } as const;

/** The text to print for one `output` event ('' for nothing). */
export function formatOutput(bytes: Buffer, info: OutputInfo, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${COLOURS.reset}` : text);
  switch (info.kind) {
    case 'echo':
      return ''; // the person's terminal already shows what they typed
    case 'boot':
      return paint(COLOURS.boot, info.line ?? '') + '\n';
    case 'urc':
      return paint(COLOURS.urc, `[URC] ${info.line ?? ''}`) + '\n';
    case 'prompt':
      return info.line === '>' ? '> ' : `${info.line ?? ''}\n`; // `> ` waits for data on the same line
    case 'data':
      return bytes.toString('latin1');
    case 'response':
    case 'final':
      return `${info.line ?? ''}\n`;
  }
}
