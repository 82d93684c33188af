/** Response framing (§1.2, §1.3): every information line and result is `\r\n<line>\r\n`. */
export function frameLine(line: string): Buffer {
  return Buffer.from(`\r\n${line}\r\n`, 'utf8');
}

/** The longest input line the module buffers. The longest legal command, AT+QISEND with
 * 1460 bytes as hex (2920 characters), fits with room to spare. */
export const MAX_LINE_BYTES = 4096;

/** Final results (§1.3) that readers of the output outside the AT layer (checker, coverage) compare against. */
export const FINAL_OK = 'OK';
export const FINAL_CONNECT = 'CONNECT';

/** Prompts that start a data-mode transfer. */
export const PROMPT_CONNECT = frameLine(FINAL_CONNECT);
export const PROMPT_SEND = Buffer.from('\r\n> ', 'latin1');
