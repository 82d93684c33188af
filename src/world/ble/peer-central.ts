/**
 * A peer as central (a phone, another module's app): scans until it hears the advertiser it
 * wants (by name or address), connects, and with the world file's `connect` subscribes and runs
 * its writes in order (each `afterMs`, scaled, after the step before; data longer than a packet
 * is split, waiting for `drain` when the queue is full). It records the notifications it gets.
 * The world file's connect is retried (scan again) until it succeeds; connect() from code fails
 * with the medium's error instead.
 */
import { normaliseAddress } from './ids.ts';
import type { BlePeerConfig } from './peer-schema.ts';
import { packets, type RoleContext, RoleTimers } from './peer-role.ts';
import type { PeripheralRole } from './peer-peripheral.ts';
import { BleError, type BleLink, type CentralHandler } from './types.ts';

/** §2.2.13's connect timeout, before timeScale. */
const CONNECT_TIMEOUT_MS = 18_000;

export class CentralRole {
  private readonly timers: RoleTimers;
  private readonly abort = new AbortController();
  private scans = new Set<{ stop(): void }>();
  private current: BleLink | undefined;

  constructor(
    private readonly config: BlePeerConfig,
    private readonly ctx: RoleContext,
  ) {
    this.timers = new RoleTimers(ctx.timers);
  }

  /** Runs the world file's `connect`, if any. */
  start(): void {
    const plan = this.config.connect;
    if (!plan) return;
    this.timers.set(() => {
      this.connectUntil(plan.to, true).then(
        (link) => this.script(link),
        () => {}, // stopped
      );
    }, this.ctx.scaled(plan.afterMs));
  }

  stop(): void {
    this.abort.abort();
    this.timers.clearAll();
    for (const scan of this.scans) scan.stop();
    this.scans.clear();
  }

  connect(to?: string): Promise<BleLink> {
    const target = to ?? this.config.connect?.to;
    if (target === undefined) return Promise.reject(new Error(`BLE peer ${this.config.name}: connect to what?`));
    return this.connectUntil(target, false);
  }

  write(uuid: string, data: Buffer): boolean {
    const link = this.linkOrThrow();
    let ok = true;
    for (const p of packets(data, link.mtu - 3)) ok = link.write(uuid, p) && ok;
    return ok;
  }

  read(uuid: string, own: PeripheralRole): Promise<Buffer> {
    if (this.current?.open) return this.current.read(uuid);
    try {
      return Promise.resolve(own.value(uuid));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private linkOrThrow(): BleLink {
    if (!this.current?.open) throw new BleError('closed', `BLE peer ${this.config.name} is not connected as a central`);
    return this.current;
  }

  private readonly handler: CentralHandler = {
    notified: (_link, uuid, data) => {
      this.ctx.record('notified', uuid, data);
      return true;
    },
    disconnected: () => {}, // `closed` covers every way a link ends
  };

  /** Scans until `target` is heard, then connects; `retry`: scan again after a failed connect. */
  private async connectUntil(target: string, retry: boolean): Promise<BleLink> {
    const address = normaliseAddress(target);
    for (;;) {
      if (this.abort.signal.aborted) throw new BleError('aborted', 'the peer stopped');
      const heard = await new Promise<{ address: string; addressType: 0 | 1 }>((resolve, reject) => {
        const scan = this.ctx.radio.scan((adv) => {
          if (adv.name !== target && adv.address !== address) return;
          if (!adv.connectable) return;
          done();
          resolve(adv);
        });
        const onAbort = (): void => {
          done();
          reject(new BleError('aborted', 'the peer stopped'));
        };
        const done = (): void => {
          scan.stop();
          this.scans.delete(scan);
          this.abort.signal.removeEventListener('abort', onAbort);
        };
        this.scans.add(scan);
        this.abort.signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const link = await this.ctx.radio.connect(heard.address, heard.addressType, {
          handler: this.handler,
          mtu: this.config.connect?.mtu ?? 247,
          timeoutMs: CONNECT_TIMEOUT_MS,
          signal: this.abort.signal,
        });
        this.current = link;
        link.on('closed', (reason) => {
          if (this.current === link) this.current = undefined;
          this.ctx.disconnected(reason);
        });
        this.ctx.connected(link);
        return link;
      } catch (e) {
        if (!retry || (e instanceof BleError && e.failure === 'aborted')) throw e;
      }
    }
  }

  /** The world file's subscriptions, then its writes in order. */
  private async script(link: BleLink): Promise<void> {
    const plan = this.config.connect;
    if (!plan) return;
    try {
      for (const uuid of plan.subscribe) link.subscribe(uuid, true);
      for (const step of plan.writes) {
        await this.wait(step.afterMs);
        for (const p of packets(step.data, link.mtu - 3)) {
          if (!link.open) return;
          if (!link.write(step.uuid, p)) await new Promise<void>((resolve) => {
              const go = (): void => {
                link.off('drain', go);
                resolve();
              };
              link.on('drain', go);
            });
        }
      }
    } catch {
      // the link ended, or the world file names a characteristic the peripheral lacks: the peer stops its script
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.set(resolve, this.ctx.scaled(ms)));
  }
}
