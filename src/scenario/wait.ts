/**
 * Waiting for something with a limit, driven by events (no polling): `check` runs at once and
 * after every change, the wait ends with its first non-null answer, with null when `ms` pass, or
 * rejects with the signal's reason when the scenario is aborted (its limit, a crashed host).
 * Real timers: the host is a real process.
 */
export async function waitFor<T>(
  check: () => T | null,
  onChange: ((listener: () => void) => () => void)[],
  ms: number,
  signal: AbortSignal,
): Promise<T | null> {
  signal.throwIfAborted();
  const first = check();
  if (first !== null) return first;
  return new Promise<T | null>((resolve, reject) => {
    const unsubscribe: (() => void)[] = [];
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      for (const u of unsubscribe) u();
    };
    const aborted = () => {
      done();
      reject(signal.reason);
    };
    const changed = () => {
      let value: T | null;
      try {
        value = check();
      } catch (e) {
        done();
        return reject(e);
      }
      if (value === null) return;
      done();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done();
      resolve(null);
    }, ms);
    signal.addEventListener('abort', aborted, { once: true });
    for (const subscribe of onChange) unsubscribe.push(subscribe(changed));
  });
}

/** Waits `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return waitFor<never>(() => null, [], ms, signal).then(() => undefined);
}
