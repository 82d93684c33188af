/**
 * One module's Wi-Fi: station, soft-AP, provisioning (web page and AirKiss) and the saved
 * settings, wired to the module's power states. It sets the module's network state (the
 * station's address), which sockets, MQTT and HTTP read; what the host hears of it
 * (`+QSTASTAT:`, §3.1.1) is in reports.ts.
 */
import { EventEmitter } from 'node:events';
import { background } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import { Saved } from '../feature/saved.ts';
import { type IpConfig } from '../world/ip.ts';
import type { World } from '../world/world.ts';
import { WifiFlash, type WifiSaved } from './saved.ts';
import { SoftAp } from './softap.ts';
import { Station } from './station.ts';
import { type JoinOutcome, startWebConfig, type WebConfigDevice, type WebConfigServer } from './webcfg.ts';

export interface WifiEvents {
  /** The provisioning page (AT+QWEBCFG) started at this URL, or stopped (null). */
  webcfg: [url: string | null];
  /** The provisioning page should be served and could not start (e.g. its port is taken). */
  webcfgError: [message: string];
}

export class WifiService extends EventEmitter<WifiEvents> {
  readonly station: Station;
  readonly softAp: SoftAp;
  /** Runtime DHCP switch (AT+QSTADHCP), loaded from flash at boot (AT+QSTADHCPDEF). */
  dhcp = true;
  /** AT+QSTASTATIC, not saved. */
  staticIp: IpConfig | null = null;
  /** AT+QAIRKISS=1 waits for credentials "from a phone" (deliverAirkiss). */
  airkiss = false;
  private web: { url: string; close(): Promise<void> } | null = null;
  /** Page starts and stops run one after another, in the order asked for; never rejects. */
  private webChange: Promise<unknown> = Promise.resolve();

  readonly world: World;
  /** What §2.1.15, 2.1.23 and 2.1.26 save: changed by those commands, written by the registry. */
  readonly saved: Saved<WifiSaved>;

  constructor(
    readonly host: FeatureHost,
    private readonly webcfgPort = 0,
  ) {
    super();
    this.world = host.world;
    this.saved = new Saved(host.section('wifi', WifiFlash));
    this.station = new Station(host.world, host.mac, { dhcp: () => this.dhcp, staticIp: () => this.staticIp, faults: host, module: host.label });
    this.softAp = new SoftAp(host.world, host.mac);
    this.station.on('ip', (ip) => host.network.set(ip));
    // A failure here is a bug: reported, never thrown into the module's power-up or reset
    // (the module runs each hook through background()).
    host.onBoot(() => this.saved.revert());
    host.onReady(() => this.boot());
    host.onReset(() => this.shutdown());
  }

  /** Whether the station has an address: sockets, MQTT and HTTP need one. */
  hasIp(): boolean {
    return this.station.ip !== null;
  }

  /** AT+QSTADHCP(DEF): DHCP on or off, applied to the address at once. */
  useDhcp(on: boolean): void {
    this.dhcp = on;
    this.station.refreshAddress();
  }

  /** AT+QSTASTATIC: the address to use while DHCP is off. */
  useStaticIp(ip: IpConfig): void {
    this.staticIp = ip;
    this.station.refreshAddress();
  }

  /** Remembers an AP for the next boot (AT+QSTAAPINFODEF; written when the command succeeds). */
  remember(ssid: string, key: string | undefined): void {
    this.saved.value.sta = { ssid, ...(key === undefined ? {} : { key }) };
  }

  /** Provisioning (the page, AirKiss): join and save the AP at once. */
  private joinAndSave(ssid: string, key: string | undefined): void {
    this.remember(ssid, key);
    this.saved.persist();
    this.station.join(ssid, key);
  }

  /** The API's "phone": delivers AirKiss credentials; false when AT+QAIRKISS=1 is not waiting. */
  deliverAirkiss(ssid: string, key: string | undefined): boolean {
    if (!this.airkiss || this.host.power.state !== 'on') return false;
    this.airkiss = false;
    this.joinAndSave(ssid, key);
    return true;
  }

  /**
   * AT+QWEBCFG, soft-AP changes, reset: the page is served while both are on. Never rejects:
   * resolves false when the page should be served and could not start (its port taken, say;
   * reported as a `webcfgError` event), true otherwise. A failed start leaves no page and
   * no half state: the next change tries again.
   */
  updateWebConfig(): Promise<boolean> {
    const run = this.webChange
      .then(() => this.applyWebConfig())
      .catch((error: unknown) => {
        this.host.emit('fault', error); // not expected: a bug, not the environment
        return false;
      });
    this.webChange = run;
    return run;
  }

  get webConfigUrl(): string | null {
    return this.web?.url ?? null;
  }

  private async applyWebConfig(): Promise<boolean> {
    const wanted = this.saved.value.webcfg && this.softAp.up && this.host.power.state === 'on';
    if (wanted && !this.web) return this.startWeb();
    if (!wanted && this.web) {
      const web = this.web;
      this.web = null;
      await web.close();
      this.emit('webcfg', null);
    }
    return true;
  }

  private async startWeb(): Promise<boolean> {
    const device: WebConfigDevice = {
      label: this.host.label,
      mac: this.host.mac,
      softApSsid: this.softAp.ssid ?? '',
      scan: async () => {
        await this.world.wait(SCAN_MS);
        return this.world.audible(this.host.mac);
      },
      join: (ssid, key) => this.joinForWeb(ssid, key),
    };
    let web: WebConfigServer;
    try {
      web = await startWebConfig(device, { port: this.webcfgPort });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.emit('webcfgError', `cannot serve the provisioning page on port ${this.webcfgPort}: ${why}`);
      return false;
    }
    this.web = web;
    this.emit('webcfg', web.url);
    return true;
  }

  /** Provisioning: join, save, and wait for the outcome the page shows. */
  private joinForWeb(ssid: string, key: string | undefined) {
    return new Promise<JoinOutcome>((resolve) => {
      const done = (outcome: JoinOutcome) => {
        this.station.off('status', onStatus);
        this.host.clock.clearTimeout(timer);
        resolve(outcome);
      };
      const onStatus = (event: string) => {
        if (event === 'GOT_IP') done({ ok: true, ip: this.station.ip?.ip ?? '' });
        else if (event === 'SCAN_NO_AP') done({ ok: false, reason: 'no-ap', message: `no access point named ${ssid} in range` });
        else if (event === 'WLAN_DISCONNECTED') done({ ok: false, reason: 'auth-failed', message: `${ssid} refused the key` });
      };
      const timer = this.host.clock.setTimeout(
        () => done({ ok: false, reason: 'timeout', message: 'no address within the time allowed' }),
        this.world.scaled(JOIN_TIMEOUT_MS) + 1000,
      );
      this.station.on('status', onStatus);
      this.joinAndSave(ssid, key);
    });
  }

  dispose(): void {
    this.station.dispose();
  }

  private boot(): void {
    const saved = this.saved.value;
    this.dhcp = saved.dhcp;
    if (saved.sta) this.station.join(saved.sta.ssid, saved.sta.key);
  }

  private shutdown(): void {
    this.station.shutdown();
    this.softAp.reset();
    this.staticIp = null;
    this.airkiss = false;
    background(this.host, () => this.updateWebConfig());
  }
}

/** How long AT+QWSCAN and the page's scan take, before scaling. */
export const SCAN_MS = 1000;
/** How long provisioning waits for an address before it gives up, before scaling. */
const JOIN_TIMEOUT_MS = 10_000;
