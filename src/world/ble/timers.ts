import type { Clock } from '../../clock.ts';

/** Every timer the medium (and its links and peers) arms, so dispose() can stop them all. */
export class TimerSet {
  private readonly live = new Set<unknown>();

  /** `onFault`: a party's handler threw inside a radio event (a bug): reported, never thrown into the event loop. */
  constructor(readonly clock: Clock, private readonly onFault: (error: unknown) => void = () => {}) {}

  set(fn: () => void, ms: number): unknown {
    const handle: unknown = this.clock.setTimeout(() => {
      this.live.delete(handle);
      try {
        fn();
      } catch (error) {
        this.onFault(error);
      }
    }, ms);
    this.live.add(handle);
    return handle;
  }

  clear(handle: unknown): void {
    if (handle === undefined) return;
    this.live.delete(handle);
    this.clock.clearTimeout(handle);
  }

  get size(): number {
    return this.live.size;
  }

  clearAll(): void {
    for (const handle of this.live) this.clock.clearTimeout(handle);
    this.live.clear();
  }
}
