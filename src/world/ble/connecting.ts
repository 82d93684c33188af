/**
 * A central's connect() while it waits: it listens for the peripheral's connectable advertising
 * and connects at the peripheral's next advertising event (a 0 ms timer at timeScale 0); until
 * `timeoutMs` (scaled) it keeps listening, through the peripheral's silences and absences.
 */
import { nextEventAt } from './advertising.ts';
import type { Radio } from './radio.ts';
import type { TimerSet } from './timers.ts';
import { type BleAddressType, BleError, type BleLink, type ConnectOptions } from './types.ts';

export class PendingConnect {
  private eventTimer: unknown;
  private timeoutTimer: unknown;
  private readonly onAbort = (): void => this.fail(new BleError('aborted', 'connect aborted'));
  done = false;

  constructor(
    readonly central: Radio,
    readonly address: string,
    readonly addressType: BleAddressType,
    readonly opts: ConnectOptions,
    private readonly timers: TimerSet,
    private readonly scaled: (ms: number) => number,
    private readonly resolve: (link: BleLink) => void,
    private readonly reject: (error: Error) => void,
    /** Makes the link (the peripheral is advertising connectably and both are in range). */
    private readonly establish: (pending: PendingConnect, peripheral: Radio) => BleLink,
    /** Forgets this pending connect. */
    private readonly forget: (pending: PendingConnect) => void,
  ) {}

  /** Starts listening; `peripheral`: the radio with that address now, if any. */
  start(peripheral: Radio | undefined): void {
    if (this.opts.signal?.aborted) return this.onAbort();
    this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.refresh(peripheral);
    // Armed after refresh()'s event timer, so at timeScale 0 (both 0 ms) an advertiser there now wins the tie.
    const timeout = new BleError('timeout', `no connectable advertising from ${this.address}`);
    if (!this.done) this.timeoutTimer = this.timers.set(() => this.fail(timeout), this.scaled(this.opts.timeoutMs));
  }

  /** Arms (or disarms) the connection at `peripheral`'s next connectable advertising event. */
  refresh(peripheral: Radio | undefined): void {
    if (this.done) return;
    const ok = peripheral !== undefined && this.canConnect(peripheral);
    if (!ok) {
      this.timers.clear(this.eventTimer);
      this.eventTimer = undefined;
      return;
    }
    if (this.eventTimer !== undefined) return;
    const adv = peripheral.advertiser;
    if (!adv) return;
    const now = this.timers.clock.now();
    const delay = nextEventAt(adv.startedAt, this.scaled(adv.params.intervalMs), now) - now;
    this.eventTimer = this.timers.set(() => {
      this.eventTimer = undefined;
      if (this.done || !this.canConnect(peripheral)) return;
      this.finish();
      let link: BleLink;
      try {
        link = this.establish(this, peripheral);
      } catch (e) {
        this.reject(e as Error);
        return;
      }
      this.resolve(link);
    }, delay);
  }

  fail(error: BleError): void {
    if (this.done) return;
    this.finish();
    this.reject(error);
  }

  private canConnect(peripheral: Radio): boolean {
    const adv = peripheral.advertiser;
    return (
      adv !== undefined &&
      adv.params.connectable &&
      peripheral !== this.central &&
      peripheral.addressType === this.addressType &&
      peripheral.audible &&
      this.central.audible
    );
  }

  private finish(): void {
    this.done = true;
    this.timers.clear(this.eventTimer);
    this.timers.clear(this.timeoutTimer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.forget(this);
  }
}
