/**
 * The BLE medium's contract: what a party on the shared radio (an emulated module's BLE service,
 * or a virtual peer from the world file) sees of it. The medium (medium.ts) is part of the world,
 * shared by every module of a process as the Wi-Fi access points are; it knows nothing about AT
 * commands. Docs: docs/ble.md ("The medium").
 *
 * Addresses are 12 lower-case hex digits without colons (`c8478c42004b`), as `+QBLESCAN:` prints
 * them; UUIDs are 4 or 32 lower-case hex digits without dashes (`fff2`), as `+QBLEINFO:` prints them.
 */

/** 0 public, 1 random (§2.2.11 <address_type>). */
export type BleAddressType = 0 | 1;

/** Why a link ended, as each side learns it. */
export type DisconnectReason =
  /** The central ended it (AT+QBLEDISCONN on a central, or a virtual central's disconnect()). */
  | 'central'
  /** The peripheral ended it. */
  | 'peripheral'
  /** No packet for the supervision timeout: the other side went out of range or lost power. */
  | 'timeout';

export interface GattProperties {
  read: boolean;
  write: boolean;
  /** Write without response. */
  writeNoResponse: boolean;
  notify: boolean;
  indicate: boolean;
}

/** A characteristic as a peripheral declares it. */
export interface GattCharacteristicDef {
  uuid: string;
  properties: GattProperties;
  /** Its value as reads see it before anything changed it; empty when absent. */
  value?: Buffer;
}

export interface GattServiceDef {
  uuid: string;
  characteristics: GattCharacteristicDef[];
}

/**
 * A characteristic in a peripheral's built table (gatt.ts): the GAP/GATT services a real
 * stack always has come first, then the peripheral's own, with handles numbered as a stack
 * does (service declaration, then per characteristic its declaration, value and, when it can
 * notify or indicate, its client configuration descriptor).
 */
export interface GattCharacteristic {
  serviceUuid: string;
  uuid: string;
  /** The value handle: what `+QBLEINFO: <handle> <uuid>` prints. */
  handle: number;
  properties: GattProperties;
}

/** What an advertiser sends, and what a scanner hears of it. */
export interface AdvertisingParams {
  /** The AD structures of the advertising packet (at most 31 bytes). */
  advData: Buffer;
  /** The scan response (at most 31 bytes); a module puts its name here. */
  scanResponse: Buffer;
  /** Advertising interval in ms (§2.2.4: 20 ms – 10.24 s), before timeScale. */
  intervalMs: number;
  connectable: boolean;
}

export interface Advertisement {
  address: string;
  addressType: BleAddressType;
  /** The local name from the AD structures (complete 0x09, else shortened 0x08) of either packet; '' when none. */
  name: string;
  advData: Buffer;
  scanResponse: Buffer;
  connectable: boolean;
  /** dBm at the scanner. */
  rssi: number;
}

/**
 * The peripheral's side of its links. Data callbacks return whether the party took the bytes:
 * false leaves them (and everything after them) queued in the link until the party calls
 * `link.resume()` — push-back, never a drop.
 */
export interface PeripheralHandler {
  connected(link: BleLink): void;
  /** A central wrote `data` to characteristic `uuid` (write or write without response). */
  written(link: BleLink, uuid: string, data: Buffer): boolean;
  /** A central reads `uuid`: its current value. Undefined when the peripheral does not hold it (the medium answers from the table's stored value). */
  read?(link: BleLink, uuid: string): Buffer | undefined;
  /** A central turned notifications of `uuid` on or off (its CCCD). */
  subscribed?(link: BleLink, uuid: string, on: boolean): void;
  disconnected(link: BleLink, reason: DisconnectReason): void;
}

export interface CentralHandler {
  /** The peripheral notified (or indicated) `uuid` with `data`; false: not now (see PeripheralHandler). */
  notified(link: BleLink, uuid: string, data: Buffer): boolean;
  disconnected(link: BleLink, reason: DisconnectReason): void;
}

/** Connection parameters the central asks for (§2.2.14); the medium times link events with them. */
export interface ConnectionParams {
  /** Connection interval, ms (7.5 ms – 4 s). Default 37.5 ms (30 × 1.25 ms). */
  intervalMs: number;
  /** Supervision timeout, ms (100 ms – 32 s). Default 5000 ms. */
  supervisionTimeoutMs: number;
}

export interface ConnectOptions {
  handler: CentralHandler;
  /** The ATT MTU the central asks for (23–512); the link's MTU is the smaller of it and the peripheral's. */
  mtu: number;
  params?: Partial<ConnectionParams>;
  /** Give up after this long without hearing the peripheral's connectable advertising (§2.2.13: 18 s), before timeScale. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Why connect() failed (rejects with a BleError carrying one of these). */
export type BleFailure =
  | 'timeout' // the peripheral was never heard advertising connectably within timeoutMs
  | 'aborted' // the signal fired (AT+QBLEDISCONN while connecting, reset)
  | 'busy'; // this radio is already connected or connecting as a central

export class BleError extends Error {
  constructor(
    readonly failure: BleFailure | 'no-characteristic' | 'not-permitted' | 'too-long' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'BleError';
  }
}

/**
 * A connection between a central and a peripheral. Each direction is an ordered queue: a packet
 * goes out at the next connection event (a few packets per event, scaled by timeScale) and is
 * handed to the receiver, which may refuse it for now (push-back). A sender sees the queue fill
 * (`send` returns false) and hears `drain` when it may go on.
 */
export interface BleLink {
  readonly id: number;
  readonly central: { address: string; addressType: BleAddressType };
  readonly peripheral: { address: string; addressType: BleAddressType; name: string };
  /** The negotiated ATT MTU; a packet carries at most mtu − 3 bytes. */
  readonly mtu: number;
  /** The peripheral's table, GAP/GATT first (what the central discovered). */
  readonly gatt: readonly GattCharacteristic[];
  readonly open: boolean;

  // --- the central's side ---
  /** Writes `data` to `uuid`. Throws BleError: no such characteristic, not writable, longer than mtu − 3, closed. False: the queue is full, wait for `drain`. */
  write(uuid: string, data: Buffer): boolean;
  /** Reads `uuid` (one round trip). Rejects with BleError as write() throws. */
  read(uuid: string): Promise<Buffer>;
  /** Turns notifications of `uuid` on or off (writes its CCCD). Throws BleError when it cannot notify. */
  subscribe(uuid: string, on: boolean): void;
  /** Whether the central has notifications of `uuid` on. */
  subscribed(uuid: string): boolean;
  /** MTU exchange (AT+QBLECFGMTU while connected): resolves to the new MTU. */
  exchangeMtu(mtu: number): Promise<number>;

  // --- the peripheral's side ---
  /** Notifies `uuid` with `data` (and stores it as the value reads see). Throws BleError as write(). Returns false when the queue is full; data to a central that has not subscribed is not sent (true). */
  notify(uuid: string, data: Buffer): boolean;

  // --- either side ---
  /** Ends the link; the other side hears it at the next connection event. Idempotent. */
  disconnect(by: 'central' | 'peripheral'): void;
  /** The receiver on `side` can take data again (after its handler returned false). */
  resume(side: 'central' | 'peripheral'): void;
  /** `drain`: the queue from `side` went below its low-water mark. `closed`: the link ended (either side, any reason). */
  on(event: 'drain', listener: (side: 'central' | 'peripheral') => void): this;
  on(event: 'closed', listener: (reason: DisconnectReason) => void): this;
  off(event: 'drain' | 'closed', listener: (...args: any[]) => void): this;
}

/** One party's presence on the medium: an emulated module's BLE, or a virtual peer. */
export interface BleRadio {
  readonly address: string;
  readonly addressType: BleAddressType;
  /** Signal between this radio and the others, dBm; below -90 it is out of range. */
  readonly rssi: number;
  /** Move the radio (the API, a test): below -90 dBm its links drop after their supervision timeout and scanners stop hearing it. */
  setRssi(rssi: number): void;

  /** Starts (or restarts with new parameters) advertising, with the GATT table centrals will find. */
  advertise(params: AdvertisingParams, gatt: GattServiceDef[], handler: PeripheralHandler, opts?: { mtu?: number }): void;
  stopAdvertising(): void;
  readonly advertising: boolean;

  /** Hears every advertiser in range at its interval (scaled), from now until stop(). Not itself. */
  scan(onAdvertisement: (adv: Advertisement) => void): { stop(): void };

  /** Connects as a central to an advertiser: resolves once the link is up and the MTU exchanged. */
  connect(address: string, addressType: BleAddressType, opts: ConnectOptions): Promise<BleLink>;

  /** The links this radio is part of (either role). */
  links(): BleLink[];

  /** Power-off or reset: stops advertising and scanning; the links end silently here, and on the other side after the supervision timeout. */
  detach(): void;
}
