/**
 * One scan: hears each audible advertiser at that advertiser's events (startedAt + k × interval,
 * scaled), first at its next event after the scan starts or after it became audible. With a
 * scaled interval of 0 (timeScale 0) it hears each advertiser once, at a 0 ms timer, and again
 * only when that advertiser restarts (new data) or comes back into range: no loop.
 */
import { nextEventAt } from './advertising.ts';
import type { Radio } from './radio.ts';
import type { TimerSet } from './timers.ts';
import type { Advertisement } from './types.ts';

/** Heard once at timeScale 0: nothing more until the advertiser restarts or comes back. */
const HEARD = Symbol('heard');

export class Scan {
  private readonly timers = new Map<Radio, unknown>();
  stopped = false;

  constructor(
    readonly radio: Radio,
    private readonly onAdvertisement: (adv: Advertisement) => void,
    private readonly clock: TimerSet,
    private readonly scaled: (ms: number) => number,
  ) {}

  /** Brings the scan up to date with `advertiser`; `restarted`: it began advertising anew. */
  refresh(advertiser: Radio, restarted: boolean): void {
    if (this.stopped) return;
    const armed = this.timers.get(advertiser);
    if (armed !== undefined && (restarted || !this.hears(advertiser))) {
      if (armed !== HEARD) this.clock.clear(armed);
      this.timers.delete(advertiser);
    }
    if (!this.timers.has(advertiser) && this.hears(advertiser)) this.arm(advertiser);
  }

  stop(): void {
    this.stopped = true;
    for (const armed of this.timers.values()) if (armed !== HEARD) this.clock.clear(armed);
    this.timers.clear();
  }

  private hears(advertiser: Radio): boolean {
    return advertiser !== this.radio && advertiser.advertising && advertiser.audible && this.radio.audible;
  }

  private arm(advertiser: Radio): void {
    const adv = advertiser.advertiser;
    if (!adv) return;
    const period = this.scaled(adv.params.intervalMs);
    const now = this.clock.clock.now();
    const handle = this.clock.set(() => {
      this.timers.delete(advertiser);
      if (this.stopped || !this.hears(advertiser) || advertiser.advertiser !== adv) return;
      if (period > 0) this.arm(advertiser);
      else this.timers.set(advertiser, HEARD);
      this.onAdvertisement(advertisementOf(advertiser));
    }, nextEventAt(adv.startedAt, period, now) - now);
    this.timers.set(advertiser, handle);
  }
}

/** What a scanner hears of an advertiser. */
export function advertisementOf(radio: Radio): Advertisement {
  const adv = radio.advertiser;
  if (!adv) throw new Error('not advertising');
  return {
    address: radio.address,
    addressType: radio.addressType,
    name: adv.name,
    advData: Buffer.from(adv.params.advData),
    scanResponse: Buffer.from(adv.params.scanResponse),
    connectable: adv.params.connectable,
    rssi: radio.rssi,
  };
}
