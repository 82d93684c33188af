/**
 * Failures that carry a chapter-5 result code, in the manner of undici's errors: a class per
 * table, a stable string `code` a program can switch on, the manual's description (what
 * AT+QIGETERROR prints), and the underlying `cause` (an errno, a TLS alert) for the trace.
 */
import { HTTP_RESULT_DESCRIPTION, HttpResult, type HttpResultCode, RESULT_DESCRIPTION, Result, type ResultCode } from './codes.ts';

const NAME_OF_RESULT = new Map<number, string>(Object.entries(Result).map(([name, code]) => [code, name]));

/** A socket, SSL or dial failure (Table 2). `message` says what happened; `cause` why, underneath. */
export class SocketError extends Error {
  override readonly name = 'SocketError';
  /** Stable: `FC41D_SOCKET_` and Table 2's row, e.g. `FC41D_SOCKET_NOT_ALLOWED`. */
  readonly code: string;
  readonly description: string;

  constructor(
    readonly result: Exclude<ResultCode, 0>,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.code = `FC41D_SOCKET_${NAME_OF_RESULT.get(result)}`;
    this.description = RESULT_DESCRIPTION[result];
  }
}

const NAME_OF_HTTP = new Map<number, string>(Object.entries(HttpResult).map(([name, code]) => [code, name]));

/** An HTTP(S) request failure (Table 3). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** Stable: `FC41D_HTTP_` and Table 3's row, e.g. `FC41D_HTTP_RESPONSE_TIMEOUT`. */
  readonly code: string;
  readonly description: string;

  constructor(
    readonly result: Exclude<HttpResultCode, 0>,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.code = `FC41D_HTTP_${NAME_OF_HTTP.get(result)}`;
    this.description = HTTP_RESULT_DESCRIPTION[result];
  }
}

/** The Table 2 code of any failure: its own when it carries one, 551 (unknown error) otherwise. */
export function resultOf(error: unknown): Exclude<ResultCode, 0> {
  return error instanceof SocketError ? error.result : Result.UNKNOWN_ERROR;
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
