/** The client's data types (the fixed contract of docs/client.md). */
import type { Duplex } from 'node:stream';
import type { Fc41dModule } from '../device/module.ts';

/**
 * Where the module is: `"tcp:HOST:PORT"` or `"HOST:PORT"` (an `fc41d serve --tcp` port, a serial
 * server), a device path (`/dev/ttyUSB0`, a PTY from `fc41d serve --pty`), a stream you already
 * hold, or a module of this process.
 */
export type ClientTarget = string | { duplex: Duplex } | { module: Fc41dModule };

export interface ConnectOptions {
  /** Default time limit of command() and waitUrc(), and of connecting. 10 s. */
  timeoutMs?: number;
  /**
   * Wait for the module's `ready` (a module that is powering up: a fresh `fc41d serve`, an
   * in-process module, a board just reset). Default: probe with `AT` until `OK`, which also
   * works with a module that booted long ago.
   */
  waitReady?: boolean;
  /** Serial devices only: the baud rate set with stty (115200). */
  baud?: number;
  /** The `+++` guard time of transparent mode (1000 ms, §2.3.11). */
  guardMs?: number;
  /** Bytes that end with no line terminator and stay alone this long are raw data (BLE). 50 ms. */
  rawIdleMs?: number;
}

export interface CommandOptions {
  /** The time limit (default: the client's timeoutMs); 0 or Infinity: none. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A command's answer: the information lines (echo left out) and the final result code. */
export interface CommandResult {
  lines: string[];
  /** `OK`, `ERROR`, `+CME ERROR: <n>`, `SEND OK`, `SEND FAIL`, `CONNECT`, `NO CARRIER`. */
  final: string;
  /** final is `OK` or `SEND OK` (or `CONNECT` for a command that enters a data mode). */
  ok: boolean;
  /** Counted bytes inside the answer, exactly (the data of `+QIRD:<len>`, AT+QHTTPREAD's body). */
  data?: Buffer;
}

/** An unsolicited result code. */
export interface Urc {
  /** `+QMTSTAT`, `+QSTASTAT`; a line without a colon is its own name: `ready`, `NO CARRIER`. */
  name: string;
  /** The fields after the colon, split at commas outside quotes, quotes taken off. */
  params: string[];
  /** The whole line as the module printed it (without CR/LF). */
  line: string;
  /** Counted data that came with it: `+QIURC: "recv",0,5` + 5 bytes, the payload of `+QMTRECV`. */
  data?: Buffer;
}

export interface WaitUrcOptions extends CommandOptions {
  match?: (u: Urc) => boolean;
}

export interface SendDataOptions extends CommandOptions {}

export interface TransparentOptions extends CommandOptions {
  /** The `+++` guard time (default: the client's guardMs). */
  guardMs?: number;
}
