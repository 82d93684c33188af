/**
 * One module's Wi-Fi: station, soft-AP, provisioning (web page and AirKiss) and the saved
 * settings, wired to the module's power states and URCs (`+QSTASTAT:`, §3.1.1). Other
 * services ask it for network state (`hasIp`) and listen to `ip` to drop connections.
 */
import { background } from '../device/background.ts';
import type { Fc41dModule } from '../device/module.ts';
import { type IpConfig } from '../world/ip.ts';
import type { World } from '../world/world.ts';
import { WifiFlash, type WifiSaved } from './saved.ts';
import { SoftAp } from './softap.ts';
import { Station } from './station.ts';
import { type JoinOutcome, startWebConfig, type WebConfigDevice, type WebConfigServer } from './webcfg.ts';

export class WifiService {
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

  constructor(
    private readonly module: Fc41dModule,
    readonly world: World,
    private readonly webcfgPort = 0,
  ) {
    this.station = new Station(world, module.mac, { dhcp: () => this.dhcp, staticIp: () => this.staticIp, faults: module });
    this.softAp = new SoftAp(world, module.mac);
    this.station.on('status', (event) => module.urc(`+QSTASTAT:${event}`));
    // A failure here is a bug: reported, never thrown into the module's power-up or reset
    // (the module runs each reset hook through background() too).
    module.onReset(() => this.shutdown());
    module.on('power', (state) => {
      if (state === 'on') background(module, () => this.boot());
    });
  }

  get saved(): WifiSaved {
    return WifiFlash.parse(this.module.flash.read().wifi ?? {});
  }

  save(change: (saved: WifiSaved) => void): void {
    const next = this.saved;
    change(next);
    this.module.flash.update((f) => void (f.wifi = next));
  }

  /** Whether the station has an address: sockets, MQTT and HTTP need one. */
  hasIp(): boolean {
    return this.station.ip !== null;
  }

  /** Joins and, when asked, saves the AP for the next boot (AT+QSTAAPINFODEF, provisioning). */
  join(ssid: string, key: string | undefined, save: boolean): void {
    if (save) this.save((s) => void (s.sta = { ssid, ...(key === undefined ? {} : { key }) }));
    this.station.join(ssid, key);
  }

  /** The API's "phone": delivers AirKiss credentials; false when AT+QAIRKISS=1 is not waiting. */
  deliverAirkiss(ssid: string, key: string | undefined): boolean {
    if (!this.airkiss || this.module.state !== 'on') return false;
    this.airkiss = false;
    this.join(ssid, key, true);
    return true;
  }

  reportOta(result: { ok: true; version: string } | { ok: false; reason: string }): void {
    this.module.emit('ota', result.ok ? { ok: true, version: result.version } : result);
  }

  /**
   * AT+QWEBCFG, soft-AP changes, reset: the page is served while both are on. Never rejects:
   * resolves false when the page should be served and could not start (its port taken, say;
   * reported as the module's `webcfgError`), true otherwise. A failed start leaves no page and
   * no half state: the next change tries again.
   */
  updateWebConfig(): Promise<boolean> {
    const run = this.webChange
      .then(() => this.applyWebConfig())
      .catch((error: unknown) => {
        this.module.emit('fault', error); // not expected: a bug, not the environment
        return false;
      });
    this.webChange = run;
    return run;
  }

  get webConfigUrl(): string | null {
    return this.web?.url ?? null;
  }

  private async applyWebConfig(): Promise<boolean> {
    const wanted = this.saved.webcfg && this.softAp.up && this.module.state === 'on';
    if (wanted && !this.web) return this.startWeb();
    if (!wanted && this.web) {
      const web = this.web;
      this.web = null;
      await web.close();
      this.module.emit('webcfg', null);
    }
    return true;
  }

  private async startWeb(): Promise<boolean> {
    const device: WebConfigDevice = {
      label: this.module.label,
      mac: this.module.mac,
      softApSsid: this.softAp.ssid ?? '',
      scan: async () => {
        await this.world.wait(SCAN_MS);
        return this.world.audible(this.module.mac);
      },
      join: (ssid, key) => this.joinForWeb(ssid, key),
    };
    let web: WebConfigServer;
    try {
      web = await startWebConfig(device, { port: this.webcfgPort });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.module.emit('webcfgError', `cannot serve the provisioning page on port ${this.webcfgPort}: ${why}`);
      return false;
    }
    this.web = web;
    this.module.emit('webcfg', web.url);
    return true;
  }

  /** Provisioning: join, save, and wait for the outcome the page shows. */
  private joinForWeb(ssid: string, key: string | undefined) {
    return new Promise<JoinOutcome>((resolve) => {
      const done = (outcome: JoinOutcome) => {
        this.station.off('status', onStatus);
        this.module.clock.clearTimeout(timer);
        resolve(outcome);
      };
      const onStatus = (event: string) => {
        if (event === 'GOT_IP') done({ ok: true, ip: this.station.ip?.ip ?? '' });
        else if (event === 'SCAN_NO_AP') done({ ok: false, reason: 'no-ap', message: `no access point named ${ssid} in range` });
        else if (event === 'WLAN_DISCONNECTED') done({ ok: false, reason: 'auth-failed', message: `${ssid} refused the key` });
      };
      const timer = this.module.clock.setTimeout(
        () => done({ ok: false, reason: 'timeout', message: 'no address within the time allowed' }),
        this.world.scaled(JOIN_TIMEOUT_MS) + 1000,
      );
      this.station.on('status', onStatus);
      this.join(ssid, key, true);
    });
  }

  dispose(): void {
    this.station.dispose();
  }

  private boot(): void {
    const saved = this.saved;
    this.dhcp = saved.dhcp;
    if (saved.sta) this.station.join(saved.sta.ssid, saved.sta.key);
  }

  private shutdown(): void {
    this.station.shutdown();
    this.softAp.reset();
    this.staticIp = null;
    this.airkiss = false;
    background(this.module, () => this.updateWebConfig());
  }
}

/** How long AT+QWSCAN and the page's scan take, before scaling. */
export const SCAN_MS = 1000;
/** How long provisioning waits for an address before it gives up, before scaling. */
const JOIN_TIMEOUT_MS = 10_000;
