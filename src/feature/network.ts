/**
 * The module's network state, shared between features: the Wi-Fi feature sets the station's
 * address; sockets, MQTT and HTTP read it (no address: "operation not allowed") and listen for
 * its loss (every connection closes, as on the real module).
 */
import { EventEmitter } from 'node:events';
import type { IpConfig } from '../world/ip.ts';

export class NetworkState extends EventEmitter<{ ip: [ip: IpConfig | null] }> {
  private address: IpConfig | null = null;

  /** The station's address, or null while it has none. */
  get ip(): IpConfig | null {
    return this.address;
  }

  hasIp(): boolean {
    return this.address !== null;
  }

  /** The Wi-Fi feature: the station got, changed or lost its address. */
  set(ip: IpConfig | null): void {
    if (ip === this.address) return;
    this.address = ip;
    this.emit('ip', ip);
  }
}
