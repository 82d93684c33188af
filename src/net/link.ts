/** What the service asks of a connected socket of any kind (TCP client/incoming, UDP). */
import type { Endpoint } from './types.ts';

export interface Link {
  /** Starts delivering received data (after the service has reported the socket). */
  start(): void;
  /** Queues bytes to the peer (`to`: UDP SERVICE's destination); false if the socket cannot write. */
  send(data: Buffer, to?: Endpoint): boolean;
  /** The host read from the receive buffer: take more from the peer if it was held back. */
  drained(): void;
  /** Bytes wait in Node for the kernel to take them (TCP); the sender should hold off until `writable`. */
  backlogged(): boolean;
  /** Host close: graceful where the protocol has one, forced after timeoutMs; resolves once gone. */
  close(timeoutMs: number): Promise<void>;
  /** Immediate, silent teardown. */
  destroy(): void;
}

/** Callbacks a link reports through; `ended` is called at most once and never after close/destroy. */
export interface LinkReports {
  data(): void;
  ended(reason: string): void;
  /** A backlog of bytes to the peer has gone out. */
  writable(): void;
}

/** An IPv4-mapped IPv6 address as plain IPv4. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '0.0.0.0';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** A Node error's code and message, for `lastDetail` and traces. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The code behind a failure, for `failure` records: the innermost error's code (through a
 * SocketError's or HttpError's own `FC41D_…` code to its cause: ECONNREFUSED, ENOTFOUND,
 * DEPTH_ZERO_SELF_SIGNED_CERT, …); ETIMEDOUT for a timeout, which has no error of its own.
 */
export function causeCode(error: unknown): string | undefined {
  let found: string | undefined;
  let last: Error | undefined;
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    last = e;
    const code = errorCode(e);
    if (code && !code.startsWith('FC41D_')) found = code;
  }
  if (found) return found;
  return last && /timeout|timed out/i.test(last.message) ? 'ETIMEDOUT' : undefined;
}
