/**
 * A virtual BLE peer from the world file (or added through the API): a sensor or device that
 * advertises and serves its characteristics (peer-peripheral.ts), or a phone that connects to an
 * advertiser, subscribes and writes (peer-central.ts). Tests and the control API drive it here.
 */
import { EventEmitter } from 'node:events';
import { toBytes } from './ids.ts';
import type { BlePeerConfig } from './peer-schema.ts';
import { PeripheralRole } from './peer-peripheral.ts';
import { CentralRole } from './peer-central.ts';
import type { RoleContext } from './peer-role.ts';
import type { TimerSet } from './timers.ts';
import type { BleAddressType, BleLink, BleRadio, DisconnectReason } from './types.ts';

export interface PeerHost {
  attach(opts: { address: string; addressType: BleAddressType; rssi?: number }): BleRadio;
  timers: TimerSet;
  scaled: (ms: number) => number;
}

/** A write the peer got (peripheral) or a notification it got (central), at world-clock `at`. */
export interface PeerReceived {
  uuid: string;
  data: Buffer;
  at: number;
}

export interface VirtualPeerEvents {
  connected: [link: BleLink];
  disconnected: [reason: DisconnectReason];
  written: [uuid: string, data: Buffer];
  notified: [uuid: string, data: Buffer];
}

export class VirtualPeer extends EventEmitter<VirtualPeerEvents> {
  readonly name: string;
  readonly address: string;
  readonly role: 'peripheral' | 'central';
  readonly received: PeerReceived[] = [];
  private radio: BleRadio | undefined;
  private peripheral: PeripheralRole | undefined;
  private central: CentralRole | undefined;

  constructor(
    readonly config: BlePeerConfig,
    private readonly host: PeerHost,
  ) {
    super();
    this.name = config.name;
    this.address = config.address;
    this.role = config.role;
  }

  get connected(): boolean {
    return this.link !== undefined;
  }

  /** The link it is on now (as peripheral or central); undefined when none. */
  get link(): BleLink | undefined {
    return this.radio?.links().find((l) => l.open);
  }

  get rssi(): number {
    return this.radio?.rssi ?? this.config.rssi;
  }

  /** Attaches its radio and starts its role (advertising, or the world file's connect). */
  start(): void {
    if (this.radio) return;
    const radio = this.host.attach({ address: this.address, addressType: this.config.addressType, rssi: this.config.rssi });
    this.radio = radio;
    const ctx: RoleContext = {
      radio,
      timers: this.host.timers,
      scaled: this.host.scaled,
      record: (kind, uuid, data) => this.record(kind, uuid, data),
      connected: (link) => this.emit('connected', link),
      disconnected: (reason) => this.emit('disconnected', reason),
    };
    this.peripheral = new PeripheralRole(this.config, ctx);
    this.central = new CentralRole(this.config, ctx);
    if (this.role === 'peripheral') this.peripheral.start();
    else this.central.start();
  }

  /** Stops everything: timers, and the radio detaches (the other side of a link times out). */
  stop(): void {
    this.peripheral?.stop();
    this.central?.stop();
    this.radio?.detach();
    this.radio = undefined;
  }

  /** As peripheral: notifies `uuid` on its links (split to fit the MTU) and stores the value. False: a queue is full. */
  notify(uuid: string, data: Buffer | string): boolean {
    return this.need(this.peripheral).notify(uuid, toBytes(data));
  }

  /** As central: writes `data` to `uuid` on its link (split to fit the MTU). Throws when not connected. False: the queue is full. */
  write(uuid: string, data: Buffer | string): boolean {
    return this.need(this.central).write(uuid, toBytes(data));
  }

  /** As central: reads `uuid` over its link; as a peripheral without a central link, its own value. */
  read(uuid: string): Promise<Buffer> {
    return this.need(this.central).read(uuid, this.need(this.peripheral));
  }

  /** Connects as a central to an advertiser by name or address (default: the world file's `connect.to`), scanning until heard. */
  connect(toNameOrAddress?: string): Promise<BleLink> {
    return this.need(this.central).connect(toNameOrAddress);
  }

  /** Ends its links (as whichever side it is on each). */
  disconnect(): void {
    for (const link of this.radio?.links() ?? []) link.disconnect(link.central.address === this.address ? 'central' : 'peripheral');
  }

  setRssi(rssi: number): void {
    this.radio?.setRssi(rssi);
  }

  /** For the control API. */
  toJSON(): object {
    const link = this.link;
    return {
      name: this.name,
      address: this.address,
      addressType: this.config.addressType,
      role: this.role,
      rssi: this.rssi,
      advertising: this.radio?.advertising ?? false,
      connected: this.connected,
      link: link && {
        id: link.id,
        central: link.central.address,
        peripheral: link.peripheral.address,
        mtu: link.mtu,
      },
      received: this.received.map((r) => ({ uuid: r.uuid, hex: r.data.toString('hex'), at: r.at })),
    };
  }

  /** Records what arrived and tells listeners. */
  private record(kind: 'written' | 'notified', uuid: string, data: Buffer): void {
    this.received.push({ uuid, data: Buffer.from(data), at: this.host.timers.clock.now() });
    this.emit(kind, uuid, Buffer.from(data));
  }

  private need<T>(role: T | undefined): T {
    if (role === undefined) throw new Error(`BLE peer ${this.name} is stopped`);
    return role;
  }
}
