/**
 * One module's soft-AP (§2.1.18–2.1.21): an access point in the shared world, so other
 * modules scan and join it and get addresses from its pool.
 */
import type { IpConfig } from '../world/ip.ts';
import type { World } from '../world/world.ts';

/** The soft-AP's address until AT+QAPSTATIC changes it (docs/wifi.md). */
export const DEFAULT_AP_IP: IpConfig = { ip: '192.168.4.1', mask: '255.255.255.0', gateway: '192.168.4.1', dns: '192.168.4.1' };
/** How strong a soft-AP is at the other modules: they sit on the same bench. */
export const SOFTAP_RSSI = -40;
export const SOFTAP_CHANNEL = 6;

export class SoftAp {
  private running: { ssid: string; key: string | undefined } | null = null;
  /** Runtime value of AT+QAPSTATIC; not saved. */
  address: IpConfig = DEFAULT_AP_IP;

  constructor(
    private readonly world: World,
    /** The module's MAC: the soft-AP's BSSID and owner. */
    private readonly mac: string,
  ) {}

  get up(): boolean {
    return this.running !== null;
  }

  get ssid(): string | null {
    return this.running?.ssid ?? null;
  }

  /** Opens (or reopens with new settings) the AP in the world. */
  start(ssid: string, key: string | undefined): void {
    this.stop();
    this.running = { ssid, key };
    this.world.addAccessPoint(
      {
        ssid,
        security: key === undefined ? 'OPEN' : 'WPA2_AES_PSK',
        password: key,
        rssi: SOFTAP_RSSI,
        channel: SOFTAP_CHANNEL,
        bssid: this.mac,
        internet: false,
        dhcp: { gateway: this.address.ip, mask: this.address.mask, dns: this.address.dns, first: 100, last: 199, delayMs: 200 },
      },
      this.mac,
    );
  }

  /** AT+QAPSTATIC: the new address applies now if the AP is up (clients rejoin), else at start. */
  setAddress(address: IpConfig): void {
    this.address = address;
    if (this.running) this.start(this.running.ssid, this.running.key);
  }

  /** Reset: the AP goes down and AT+QAPSTATIC is forgotten (§2.1.20: not saved). */
  reset(): void {
    this.stop();
    this.address = DEFAULT_AP_IP;
  }

  stop(): void {
    if (!this.running) return;
    this.running = null;
    this.world.removeAccessPoint(this.mac);
  }
}
