/**
 * Failures that carry a chapter-5 result code, in the manner of undici's errors: a class per
 * table, a stable string `code` a program can switch on, the manual's description (what
 * AT+QIGETERROR prints), and the underlying `cause` (an errno, a TLS alert) for the trace.
 */
import { HTTP_RESULT_DESCRIPTION, HttpResult, type HttpResultCode, RESULT_DESCRIPTION, Result, type ResultCode } from './codes.ts';

/** One table of chapter 5: its rows by name, their descriptions, and the prefix of stable codes. */
interface Table<C extends number> {
  prefix: string;
  rows: Readonly<Record<string, C>>;
  descriptions: Readonly<Record<C, string>>;
}

abstract class ResultError<C extends number> extends Error {
  /** Stable: the table's prefix and the row's name, e.g. `FC41D_SOCKET_NOT_ALLOWED`. */
  readonly code: string;
  /** The manual's words for the row. */
  readonly description: string;

  protected constructor(table: Table<C>, readonly result: C, message: string, options: { cause?: unknown }) {
    super(message, options);
    const row = Object.entries(table.rows).find(([, code]) => code === result)?.[0] ?? 'UNKNOWN';
    this.code = `${table.prefix}${row}`;
    this.description = table.descriptions[result];
  }
}

const SOCKET_TABLE: Table<ResultCode> = { prefix: 'FC41D_SOCKET_', rows: Result, descriptions: RESULT_DESCRIPTION };
const HTTP_TABLE: Table<HttpResultCode> = { prefix: 'FC41D_HTTP_', rows: HttpResult, descriptions: HTTP_RESULT_DESCRIPTION };

/** A socket, SSL or dial failure (Table 2). `message` says what happened; `cause` why, underneath. */
export class SocketError extends ResultError<ResultCode> {
  override readonly name = 'SocketError';
  constructor(result: Exclude<ResultCode, 0>, message: string, options: { cause?: unknown } = {}) {
    super(SOCKET_TABLE, result, message, options);
  }
}

/** An HTTP(S) request failure (Table 3). */
export class HttpError extends ResultError<HttpResultCode> {
  override readonly name = 'HttpError';
  constructor(result: Exclude<HttpResultCode, 0>, message: string, options: { cause?: unknown } = {}) {
    super(HTTP_TABLE, result, message, options);
  }
}

/** The Table 2 code of any failure: its own when it carries one, 551 (unknown error) otherwise. */
export function resultOf(error: unknown): Exclude<ResultCode, 0> {
  return error instanceof SocketError ? (error.result as Exclude<ResultCode, 0>) : Result.UNKNOWN_ERROR;
}

/** One line for a trace: the message and the chain of causes under it. */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      parts.push(typeof code === 'string' && !e.message.includes(code) ? `${code} ${e.message}` : e.message);
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(': ');
}
