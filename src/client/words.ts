/**
 * The words of the module's output the client acts on, all in one place: final result codes,
 * the data-mode words, the end markers of raw mode, the bare URCs. (The only file of the client
 * that spells AT result text; the rest asks these.)
 */

/** Final result codes that end a command (§1.3; `+CME ERROR: <n>` of other modules' firmware). */
const FINAL = /^(?:OK|ERROR|SEND OK|SEND FAIL|NO CARRIER|\+CME ERROR:.*|\+CMS ERROR:.*)$/;

export const OK = 'OK';
/** Uploads (AT+QHTTPPOST) and transparent mode start with it; AT+QHTTPREAD's body follows it. */
export const CONNECT = 'CONNECT';
/** Ends transparent mode from the module's side (the connection closed). */
export const NO_CARRIER_MARK = '\r\nNO CARRIER\r\n';
/** Ends transparent mode after `+++`, and AT+QHTTPREAD's body. */
export const OK_MARK = '\r\nOK\r\n';
export const ERROR_MARK = '\r\nERROR\r\n';

/** Lines without a colon that are unsolicited (anything else alone on a line is raw data). */
export const BARE_URCS: ReadonlySet<string> = new Set(['ready', 'NO CARRIER', 'RDY']);
/** Commands whose `CONNECT` starts a body that ends at `OK` (AT+QHTTPREAD, FIDELITY.md). */
export const BODY_COMMANDS: ReadonlySet<string> = new Set(['+QHTTPREAD']);

export function isFinal(line: string): boolean {
  return FINAL.test(line);
}

/** The finals that mean success: `OK`, `SEND OK`, and `CONNECT` for a command entering a data mode. */
export function isSuccess(final: string): boolean {
  return final === OK || final === 'SEND OK' || final === CONNECT;
}
