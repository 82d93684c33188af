/** One party's presence on the medium (the BleRadio contract): what it advertises and its range. */
import { adName } from './advertising.ts';
import { GattServer } from './gatt.ts';
import { MAX_MTU } from './link.ts';
import type {
  Advertisement,
  AdvertisingParams,
  BleAddressType,
  BleLink,
  BleRadio,
  ConnectOptions,
  GattServiceDef,
  PeripheralHandler,
} from './types.ts';
import { RANGE_LIMIT_DBM } from '../range.ts';

/** What the radio needs of its medium (medium.ts). */
export interface RadioHost {
  now(): number;
  advertisingChanged(radio: Radio, restarted: boolean): void;
  rangeChanged(radio: Radio): void;
  scan(radio: Radio, onAdvertisement: (adv: Advertisement) => void): { stop(): void };
  connect(radio: Radio, address: string, addressType: BleAddressType, opts: ConnectOptions): Promise<BleLink>;
  links(radio: Radio): BleLink[];
  detach(radio: Radio): void;
}

/** What a radio advertises, with the table and handler centrals will connect to. */
export interface Advertiser {
  params: AdvertisingParams;
  name: string;
  server: GattServer;
  handler: PeripheralHandler;
  mtu: number;
  /** When advertising (re)started, on the world clock: events fall at startedAt + k × interval. */
  startedAt: number;
}

export class Radio implements BleRadio {
  private current: Advertiser | undefined;
  attached = true;

  constructor(
    private readonly host: RadioHost,
    readonly address: string,
    readonly addressType: BleAddressType,
    public rssi: number,
  ) {}

  get advertising(): boolean {
    return this.current !== undefined;
  }

  get advertiser(): Advertiser | undefined {
    return this.current;
  }

  /** Attached and in range. */
  get audible(): boolean {
    return this.attached && this.rssi >= RANGE_LIMIT_DBM;
  }

  setRssi(rssi: number): void {
    this.rssi = rssi;
    this.host.rangeChanged(this);
  }

  advertise(params: AdvertisingParams, gatt: GattServiceDef[], handler: PeripheralHandler, opts: { mtu?: number } = {}): void {
    if (!this.attached) return;
    const p: AdvertisingParams = { ...params, advData: Buffer.from(params.advData), scanResponse: Buffer.from(params.scanResponse) };
    const name = adName(p.advData, p.scanResponse);
    const mtu = Math.min(opts.mtu ?? MAX_MTU, MAX_MTU);
    this.current = { params: p, name, server: new GattServer(gatt, name), handler, mtu, startedAt: this.host.now() };
    this.host.advertisingChanged(this, true);
  }

  stopAdvertising(): void {
    if (this.current === undefined) return;
    this.current = undefined;
    this.host.advertisingChanged(this, false);
  }

  scan(onAdvertisement: (adv: Advertisement) => void): { stop(): void } {
    return this.host.scan(this, onAdvertisement);
  }

  connect(address: string, addressType: BleAddressType, opts: ConnectOptions): Promise<BleLink> {
    return this.host.connect(this, address, addressType, opts);
  }

  links(): BleLink[] {
    return this.host.links(this);
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.current = undefined;
    this.host.detach(this);
  }
}
