/**
 * The station (STA) side of one module's Wi-Fi: joining an AP of the world, DHCP or a
 * static address, losing the link and rejoining. It reports state changes as the words of
 * the `+QSTASTAT:` URC (§3.1.1) and knows nothing else of AT.
 *
 * Rules (docs/wifi.md): a join scans, picks the strongest audible AP with the SSID, checks
 * the key, associates, then takes an address. No AP → SCAN_NO_AP; wrong key →
 * WLAN_DISCONNECTED; both are retried every RETRY_MS until the host stops the station, and
 * each is reported once until something changes. A lost link (AP gone, out of range, key
 * or security changed) → WLAN_DISCONNECTED, then the same retries.
 */
import { EventEmitter } from 'node:events';
import { type IpConfig } from '../world/ip.ts';
import { type AccessPoint, RANGE_LIMIT_DBM, type World } from '../world/world.ts';
import { background, type FaultSink } from '../feature/background.ts';

export type StaEvent = 'WLAN_CONNECTED' | 'WLAN_DISCONNECTED' | 'GOT_IP' | 'SCAN_NO_AP';
export type StaState = 'down' | 'joining' | 'connected';

/** Radio times in ms before scaling by the world's timeScale. */
export const JOIN_SCAN_MS = 200;
export const ASSOCIATE_MS = 100;
export const RETRY_MS = 3000;

export interface StationEvents {
  status: [event: StaEvent];
  /** The address changed: an IP when the station got one, null when it lost it. */
  ip: [ip: IpConfig | null];
}

export interface StationConfig {
  /** DHCP on (runtime value of AT+QSTADHCP/AT+QSTADHCPDEF). */
  dhcp(): boolean;
  /** The AT+QSTASTATIC address, if any. */
  staticIp(): IpConfig | null;
  /**
   * Where a failure of the station's background work (timers, world events, joins under way)
   * goes (the module's `fault` event): a bug, reported, never thrown at the world or the event loop.
   */
  faults: FaultSink;
  /** The module's label: a dhcp-failure fault limited to a module matches it. */
  module?: string;
}

export class Station extends EventEmitter<StationEvents> {
  private target: { ssid: string; key: string | undefined } | null = null;
  private current: AccessPoint | null = null;
  private address: IpConfig | null = null;
  private addressFromDhcp = false;
  private attempt = 0;
  private lastFailure: StaEvent | null = null;
  private retryTimer: unknown = null;
  private readonly onAp = (ap: AccessPoint) => this.background(() => this.apChanged(ap));

  constructor(
    private readonly world: World,
    /** The module's MAC: its DHCP client id, and the owner of its own soft-AP (never joined). */
    private readonly mac: string,
    private readonly config: StationConfig,
  ) {
    super();
    world.on('ap', this.onAp);
  }

  get state(): StaState {
    if (this.current) return 'connected';
    return this.target ? 'joining' : 'down';
  }

  /** The AP the station is associated with. */
  get ap(): AccessPoint | null {
    return this.current && { ...this.current };
  }

  get ip(): IpConfig | null {
    return this.address;
  }

  get ssid(): string | null {
    return this.target?.ssid ?? null;
  }

  /** AT+QSTAAPINFO: leave any current AP, then join this one (asynchronously). */
  join(ssid: string, key: string | undefined): void {
    this.disconnect(true);
    this.target = { ssid, key };
    this.lastFailure = null;
    this.background(() => this.tryJoin());
  }

  /** AT+QSTASTOP: leave and stop retrying. */
  stop(): void {
    this.disconnect(true);
    this.target = null;
  }

  /** Reset or power-off: forget everything without a word (the UART is going down anyway). */
  shutdown(): void {
    this.disconnect(false);
    this.target = null;
  }

  /** Stop listening to the world for good. */
  dispose(): void {
    this.shutdown();
    this.world.off('ap', this.onAp);
  }

  /**
   * DHCP or the static address changed, with immediate effect (§2.1.14): DHCP on → a lease
   * replaces a static address; DHCP off → the static address replaces a lease. DHCP off and
   * no static address keeps what the station has.
   */
  refreshAddress(): void {
    if (!this.current) return;
    if (this.config.dhcp() ? !this.address || !this.addressFromDhcp : this.config.staticIp() !== null) {
      const attempt = this.attempt;
      this.background(() => this.takeAddress(attempt));
    }
  }

  private async tryJoin(): Promise<void> {
    const attempt = ++this.attempt;
    this.cancelRetry();
    const target = this.target;
    if (!target) return;
    await this.world.wait(JOIN_SCAN_MS);
    if (attempt !== this.attempt) return;
    const ap = this.world.audible(this.mac).find((a) => a.ssid === target.ssid);
    if (!ap) return this.fail('SCAN_NO_AP');
    await this.world.wait(ASSOCIATE_MS);
    if (attempt !== this.attempt) return;
    const now = this.world.find(ap.bssid, this.mac);
    if (!now || !now.up || now.rssi < RANGE_LIMIT_DBM) return this.fail('SCAN_NO_AP');
    if (!this.world.keyMatches(now, target.key)) return this.fail('WLAN_DISCONNECTED');
    this.current = now;
    this.lastFailure = null;
    this.emit('status', 'WLAN_CONNECTED');
    await this.takeAddress(attempt);
  }

  private async takeAddress(attempt: number): Promise<void> {
    const ap = this.current;
    if (!ap) return;
    if (!this.config.dhcp()) {
      const fixed = this.config.staticIp();
      if (fixed && !sameIp(fixed, this.address)) this.setAddress(fixed, false);
      return;
    }
    await this.world.wait(ap.dhcp.delayMs);
    if (attempt !== this.attempt || !this.current) return;
    const lease = this.world.lease(ap.bssid, this.mac, this.config.module);
    if (lease) this.setAddress(lease, true); // a full pool leaves the station associated without an IP
  }

  private setAddress(ip: IpConfig, fromDhcp: boolean): void {
    this.address = ip;
    this.addressFromDhcp = fromDhcp;
    this.emit('ip', ip);
    this.emit('status', 'GOT_IP');
  }

  private fail(event: StaEvent): void {
    if (this.lastFailure !== event) this.emit('status', event);
    this.lastFailure = event;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.cancelRetry();
    const attempt = this.attempt;
    this.retryTimer = this.world.clock.setTimeout(() => {
      this.retryTimer = null;
      if (attempt === this.attempt && this.target && !this.current) this.background(() => this.tryJoin());
    }, this.world.scaled(RETRY_MS));
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.world.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Drops the link; `report` says whether the host hears WLAN_DISCONNECTED. */
  private disconnect(report: boolean): void {
    this.attempt++;
    this.cancelRetry();
    const wasConnected = this.current !== null;
    this.current = null;
    if (this.address) {
      this.address = null;
      this.emit('ip', null);
    }
    if (wasConnected && report) this.emit('status', 'WLAN_DISCONNECTED');
  }

  /** The world changed: drop a link the AP no longer allows; retry early when the AP (re)appears. */
  private apChanged(changed: AccessPoint): void {
    const cur = this.current;
    if (cur && changed.bssid === cur.bssid) {
      const now = this.world.find(cur.bssid, this.mac);
      const lost =
        !now || !now.up || now.rssi < RANGE_LIMIT_DBM || now.security !== cur.security || now.password !== cur.password;
      if (lost) {
        this.disconnect(true);
        this.lastFailure = 'WLAN_DISCONNECTED';
        this.scheduleRetry();
      } else this.current = now;
      return;
    }
    if (!cur && this.target && changed.ssid === this.target.ssid && this.retryTimer !== null) this.background(() => this.tryJoin());
  }

  /** Work nobody waits for: its failure goes to `config.faults`, never to the caller or the event loop. */
  private background(task: () => unknown): void {
    background(this.config.faults, task);
  }
}

function sameIp(a: IpConfig, b: IpConfig | null): boolean {
  return b !== null && a.ip === b.ip && a.mask === b.mask && a.gateway === b.gateway && a.dns === b.dns;
}
