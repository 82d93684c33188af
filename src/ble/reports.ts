/**
 * What the host hears of BLE (§3.2), in the formats real modules print (FIDELITY.md "BLE as real
 * modules do it"): `+QBLESCAN:<name>,<addr_type>,<addr>[,<hex>]`, and after a central's connect
 * `+QBLEMTU:<n>` (literal angle brackets), `+QBLESTAT:CONNECTED`, one `+QBLEINFO: <handle> <uuid>`
 * per characteristic; a peripheral prints only `+QBLESTAT:CONNECTED`. Either side prints
 * `+QBLESTAT:DISCONNECTED` when its link (or a connect attempt) ends. Advertising changes print
 * nothing. Data from a link is not a URC: the service sends it raw.
 */
import type { FeatureHost } from '../feature/feature.ts';
import type { BleService } from './service.ts';

export function reportBle(ble: BleService, host: FeatureHost): void {
  const urc = (line: string) => host.urc(line);
  ble.on('scanned', (adv, withData) => {
    const data = withData ? `,${Buffer.concat([adv.advData, adv.scanResponse]).toString('hex')}` : '';
    urc(`+QBLESCAN:${adv.name},${adv.addressType},${adv.address}${data}`);
  });
  ble.on('connected', (link, side) => {
    if (side === 'central') urc(mtuLine(link.mtu));
    urc('+QBLESTAT:CONNECTED');
    if (side === 'central') for (const c of link.gatt) urc(`+QBLEINFO: ${c.handle} ${c.uuid}`);
  });
  ble.on('mtu', (mtu) => urc(mtuLine(mtu)));
  ble.on('disconnected', () => urc('+QBLESTAT:DISCONNECTED'));
}

const mtuLine = (mtu: number) => `+QBLEMTU:<${mtu}>`;

/** This group's URCs: Wi-Fi configuration over BLE does not notify them back over the link they are about. */
export function isBleUrc(line: string): boolean {
  return line.startsWith('+QBLE');
}
