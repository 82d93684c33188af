/**
 * Reconnect delays: exponential from BASE_MS up to CAP_MS, with "equal jitter" (half fixed, half
 * random) so ten thousand devices that lost the broker together do not return in one wave. The
 * random numbers are the device's own seeded stream: a run with the same seed waits the same.
 */
import type { Random } from '../random.ts';

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

/** The delay before attempt `n` (0-based) of reconnecting. */
export function backoffMs(attempt: number, random: Random, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Waits `ms`, or less when `signal` aborts (then resolves false). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
