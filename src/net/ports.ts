/**
 * The local-port rule shared by listeners, UDP services and clients: try the port the module
 * asked for; if the host refuses it (in use, or privileged), take any free port instead.
 */
import { errorCode } from './link.ts';

const FALLBACK_CODES = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/** Whether a bind/connect failure with a fixed local port should be retried on an ephemeral one. */
export function portUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && FALLBACK_CODES.has(code);
}

/** Runs `attempt(preferred)`, and `attempt(0)` if the preferred port is unavailable. */
export async function withPortFallback<T>(preferred: number, attempt: (port: number) => Promise<T>): Promise<T> {
  if (preferred === 0) return attempt(0);
  try {
    return await attempt(preferred);
  } catch (error) {
    if (!portUnavailable(error)) throw error;
    return attempt(0);
  }
}
