/** What a virtual peer's role (peer-peripheral.ts, peer-central.ts) needs of its peer. */
import type { TimerSet } from './timers.ts';
import type { BleLink, BleRadio, DisconnectReason } from './types.ts';

export interface RoleContext {
  radio: BleRadio;
  timers: TimerSet;
  scaled: (ms: number) => number;
  /** A write (peripheral) or notification (central) arrived. */
  record(kind: 'written' | 'notified', uuid: string, data: Buffer): void;
  connected(link: BleLink): void;
  disconnected(reason: DisconnectReason): void;
}

/** Splits `data` into packets of at most `size` bytes (one empty packet for empty data). */
export function packets(data: Buffer, size: number): Buffer[] {
  if (data.length === 0) return [data];
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

/** The timers a role arms, cleared together when it stops. */
export class RoleTimers {
  private readonly live = new Set<unknown>();

  constructor(private readonly timers: TimerSet) {}

  set(fn: () => void, ms: number): unknown {
    const handle: unknown = this.timers.set(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.add(handle);
    return handle;
  }

  clear(handle: unknown): void {
    this.live.delete(handle);
    this.timers.clear(handle);
  }

  clearAll(): void {
    for (const handle of this.live) this.timers.clear(handle);
    this.live.clear();
  }
}
