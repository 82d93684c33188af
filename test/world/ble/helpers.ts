/** A BLE medium on a fake clock, and recording handlers, for the medium's tests. */
import { BleMedium } from '../../../src/world/ble/medium.ts';
import type {
  AdvertisingParams,
  BleLink,
  BleRadio,
  CentralHandler,
  DisconnectReason,
  GattServiceDef,
  PeripheralHandler,
} from '../../../src/world/ble/types.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

export function makeMedium(timeScale = 1): { clock: FakeClock; medium: BleMedium } {
  const clock = new FakeClock();
  return { clock, medium: new BleMedium({ clock, scaled: (ms) => ms * timeScale }) };
}

/** Advertising data with flags and a complete local name. */
export function advData(name: string): Buffer {
  return Buffer.concat([Buffer.from([2, 1, 6, name.length + 1, 0x09]), Buffer.from(name)]);
}

export function params(name: string, intervalMs = 100, connectable = true): AdvertisingParams {
  return { advData: advData(name), scanResponse: Buffer.alloc(0), intervalMs, connectable };
}

const RW = { read: true, write: true, writeNoResponse: true, notify: true, indicate: false };

/** Service ff00: ff01 (read, write, notify), ff02 (notify only), ff03 (read only, value "v3"). */
export const SERVICES: GattServiceDef[] = [
  {
    uuid: 'ff00',
    characteristics: [
      { uuid: 'ff01', properties: RW },
      { uuid: 'ff02', properties: { ...RW, read: false, write: false, writeNoResponse: false } },
      { uuid: 'ff03', properties: { ...RW, write: false, writeNoResponse: false, notify: false }, value: Buffer.from('v3') },
    ],
  },
];

/** A peripheral handler that records what it hears; `refuse` makes written() say "not now". */
export class Peripheral implements PeripheralHandler {
  links: BleLink[] = [];
  writes: Array<[string, Buffer]> = [];
  subscriptions: Array<[string, boolean]> = [];
  disconnects: DisconnectReason[] = [];
  refuse = false;
  /** Asked before taking each packet: false refuses it (push-back). */
  gate: ((data: Buffer) => boolean) | undefined;
  connected(link: BleLink): void {
    this.links.push(link);
  }
  written(_link: BleLink, uuid: string, data: Buffer): boolean {
    if (this.refuse || this.gate?.(data) === false) return false;
    this.writes.push([uuid, Buffer.from(data)]);
    return true;
  }
  subscribed(_link: BleLink, uuid: string, on: boolean): void {
    this.subscriptions.push([uuid, on]);
  }
  disconnected(_link: BleLink, reason: DisconnectReason): void {
    this.disconnects.push(reason);
  }
}

export class Central implements CentralHandler {
  notes: Array<[string, Buffer]> = [];
  disconnects: DisconnectReason[] = [];
  refuse = false;
  /** Asked before taking each packet: false refuses it (push-back). */
  gate: ((data: Buffer) => boolean) | undefined;
  notified(_link: BleLink, uuid: string, data: Buffer): boolean {
    if (this.refuse || this.gate?.(data) === false) return false;
    this.notes.push([uuid, Buffer.from(data)]);
    return true;
  }
  disconnected(_link: BleLink, reason: DisconnectReason): void {
    this.disconnects.push(reason);
  }
}

/** Settles promise callbacks queued by the medium's timers. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A peripheral advertising SERVICES and a central connected to it (fake clock, timeScale 1). */
export async function connected(
  opts: { mtu?: number; peripheralMtu?: number; intervalMs?: number } = {},
): Promise<{
  clock: FakeClock;
  medium: BleMedium;
  p: BleRadio;
  c: BleRadio;
  ph: Peripheral;
  ch: Central;
  link: BleLink;
}> {
  const { clock, medium } = makeMedium();
  const p = medium.attach({ address: 'aa0000000001', addressType: 0 });
  const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
  const ph = new Peripheral();
  const ch = new Central();
  p.advertise(params('Periph'), SERVICES, ph, { mtu: opts.peripheralMtu ?? 247 });
  const pending = c.connect(p.address, 0, {
    handler: ch,
    mtu: opts.mtu ?? 247,
    timeoutMs: 18_000,
    params: opts.intervalMs === undefined ? undefined : { intervalMs: opts.intervalMs },
  });
  clock.advance(100);
  const link = await pending;
  return { clock, medium, p, c, ph, ch, link };
}
