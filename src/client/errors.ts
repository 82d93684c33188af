/** What the AT client rejects with. None is thrown for an `ERROR` answer by command(): that is a result. */
import type { CommandResult } from './types.ts';

export class AtError extends Error {}

/** No final result (or URC) within the time given. */
export class AtTimeoutError extends AtError {
  override name = 'AtTimeoutError';
  readonly code = 'AT_TIMEOUT';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what}: no answer within ${timeoutMs} ms`);
  }
}

/** The client was closed, or its wire went away, before the answer came. */
export class AtClosedError extends AtError {
  override name = 'AtClosedError';
  readonly code = 'AT_CLOSED';
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what}: the AT client is closed`, options);
  }
}

/** expectOk(): the module answered something other than OK (`ERROR`, `+CME ERROR: 3`, `SEND FAIL` …). */
export class AtCommandError extends AtError {
  override name = 'AtCommandError';
  readonly code = 'AT_COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    super(`${command} → ${result.final}`);
  }
}

/** Cancelled through an AbortSignal; named like Node's own AbortError, the signal's reason as cause. */
export class AtAbortError extends AtError {
  override name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(what: string, reason?: unknown) {
    super(`${what}: aborted`, { cause: reason });
  }
}
