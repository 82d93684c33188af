/**
 * The BLE group's service (§2.2, §3.2): the module's radio on the world's BLE medium
 * (src/world/ble/), in one role at a time — central (1), peripheral (2), or peripheral for Wi-Fi
 * configuration (3) — with at most one link. It reports by events (reports.ts turns them into
 * URCs) and prints no AT text; data from a link goes to the host raw (FIDELITY.md), with
 * push-back: while the host is backed up the link keeps it (`false` to the medium) until the line
 * is writable again. Nothing here is saved: every boot starts from the defaults (settings.ts).
 */
import { EventEmitter } from 'node:events';
import { background } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import {
  type Advertisement,
  type BleAddressType,
  BleError,
  type BleLink,
  type BleRadio,
  type CentralHandler,
  type GattCharacteristic,
  type GattProperties,
  type GattServiceDef,
  type PeripheralHandler,
} from '../world/ble/types.ts';
import { ADV_SLOT_MS, defaultAdvData, scanResponse } from './advertising.ts';
import type { Side } from './link-data.ts';
import {
  type BleSettings,
  CONN_INTERVAL_UNIT_MS,
  CONNECT_TIMEOUT_MS,
  type ConfigUuids,
  DEFAULT_CONFIG_UUIDS,
  defaultBleSettings,
  PERIPHERAL_MTU,
  SUPERVISION_UNIT_MS,
} from './settings.ts';
import { BleTransparent } from './transparent.ts';
import { bleAddressOf, parseUuid, sameUuid } from './values.ts';
import { WifiConfigSession } from './wifi-config.ts';

export type BleRole = 0 | 1 | 2 | 3;
/** §2.2.20's states. */
export type BleState = 'NOINIT' | 'INIT' | 'ADVERTISING' | 'NOADVERTISING' | 'CONNECTED' | 'DISCONNECTED';

export interface BleServiceEvents {
  /** A scan heard an advertiser (once per scan, again when its data changed); `withData`: scan mode 2. */
  scanned: [adv: Advertisement, withData: boolean];
  /** A link is up, this module on `side`. */
  connected: [link: BleLink, side: Side];
  /** The central's MTU exchange (AT+QBLECFGMTU while connected) ended. */
  mtu: [mtu: number];
  /** The link ended, or a connect attempt did (18 s without the peer, AT+QBLEDISCONN). */
  disconnected: [];
}

export interface BleServiceOptions {
  /** URC lines of this group: Wi-Fi configuration over BLE does not notify them (reports.ts). */
  ownUrc: (line: string) => boolean;
}

const CHARACTERISTIC: GattProperties = { read: true, write: true, writeNoResponse: false, notify: true, indicate: false };
const CONFIG_WRITE: GattProperties = { read: false, write: true, writeNoResponse: true, notify: false, indicate: false };
const CONFIG_NOTIFY: GattProperties = { read: true, write: false, writeNoResponse: false, notify: true, indicate: false };

export class BleService extends EventEmitter<BleServiceEvents> {
  /** The medium's spelling of this module's address: Wi-Fi MAC + 1, public. */
  readonly address: string;
  readonly configUuids: ConfigUuids;
  settings: BleSettings = defaultBleSettings();
  role: BleRole = 0;
  state: BleState = 'NOINIT';
  /** §2.2.6/2.2.7: the one service the host declared (role 2), its characteristics in order. */
  own: { uuid: string; characteristics: string[] } | null = null;
  private radio: BleRadio | null = null;
  private scanning: { stop(): void; timer: unknown } | null = null;
  private connecting: AbortController | null = null;
  private link: BleLink | null = null;
  private side: Side = 'central';
  /** The host wants to advertise: a peripheral advertises again once its link ends. */
  private advertiseWanted = false;
  private transparent: BleTransparent | null = null;
  /** A send from this side found the link's queue full; cleared at its `drain`. */
  private queueFull = false;
  private wifiConfig: WifiConfigSession | null = null;
  /** The host is backed up: this resumes the link once the line is writable. */
  private resumeOnWritable: (() => void) | null = null;

  constructor(
    readonly host: FeatureHost,
    private readonly opts: BleServiceOptions,
  ) {
    super();
    this.address = bleAddressOf(host.mac);
    this.configUuids = configUuids(host.options.bleConfigUuids);
    host.onBoot(() => {
      this.settings = defaultBleSettings();
    });
    host.onReset(() => this.teardown(false));
  }

  get scanOn(): boolean {
    return this.scanning !== null;
  }

  /** The link's MTU while connected. */
  get mtu(): number | undefined {
    return this.link?.mtu;
  }

  // --- §2.2.1 roles -------------------------------------------------------------------------

  /** AT+QBLEINIT=1–3: the same role again is fine; another needs AT+QBLEINIT=0 first. */
  init(role: 1 | 2 | 3): boolean {
    if (this.role !== 0) return this.role === role;
    try {
      this.radio = this.host.world.ble.attach({ address: this.address, addressType: 0 });
    } catch {
      return false; // another radio has this address (two modules with one MAC)
    }
    this.role = role;
    this.state = 'INIT';
    if (role === 3) this.advertise();
    return true;
  }

  /** AT+QBLEINIT=0: the link ends (the peer hears it), the radio leaves the medium. */
  deinit(): boolean {
    if (this.role === 0) return false;
    this.teardown(true);
    return true;
  }

  get peripheral(): boolean {
    return this.role === 2 || this.role === 3;
  }

  // --- §2.2.3–2.2.9 the peripheral's advertising and table -------------------------------------

  setName(name: string): void {
    this.settings.name = name;
    this.refreshAdvertising();
  }

  setAdvInterval(min: number, max: number): boolean {
    if (!this.peripheral || min > max) return false;
    this.settings.advIntervalMin = min;
    this.settings.advIntervalMax = max;
    this.refreshAdvertising();
    return true;
  }

  setAdvData(data: Buffer): boolean {
    if (!this.peripheral) return false;
    this.settings.advData = data;
    this.refreshAdvertising();
    return true;
  }

  /** §2.2.6: role 2, one service until AT+QBLEINIT=0. */
  addService(uuid: string): boolean {
    if (this.role !== 2 || this.own) return false;
    this.own = { uuid, characteristics: [] };
    this.refreshAdvertising();
    return true;
  }

  /** §2.2.7: after the service; each UUID once. */
  addCharacteristic(uuid: string): boolean {
    if (this.role !== 2 || !this.own || this.own.characteristics.some((c) => sameUuid(c, uuid))) return false;
    this.own.characteristics.push(uuid);
    this.refreshAdvertising();
    return true;
  }

  startAdvertising(): boolean {
    if (!this.peripheral || this.link) return false;
    this.advertise();
    return true;
  }

  stopAdvertising(): boolean {
    if (!this.peripheral || !this.radio) return false;
    this.advertiseWanted = false;
    if (this.link) return true; // not advertising while connected; not again after it
    this.radio.stopAdvertising();
    this.state = 'NOADVERTISING';
    return true;
  }

  /** §2.2.10: a notification from one of our characteristics to the connected central. */
  notify(uuidText: string, data: Buffer): boolean {
    const link = this.link;
    if (!link || this.side !== 'peripheral' || this.queueFull || data.length > link.mtu - 3) return false;
    const uuid = this.ownCharacteristic(uuidText, 'notify');
    return uuid !== undefined && this.sent(unlessRefused(() => link.notify(uuid, data)));
  }

  // --- §2.2.11–2.2.18 the central ------------------------------------------------------------

  /** §2.2.11: mode 1 or 2; with a timeout (ms, radio time) it stops by itself. */
  startScan(withData: boolean, timeoutMs?: number): boolean {
    if (this.role !== 1 || !this.radio) return false;
    this.stopScan();
    const seen = new Map<string, string>();
    const scan = this.radio.scan((adv) => {
      // The controller's duplicate filter: each device once per scan, again when its data changes.
      const key = `${adv.advData.toString('hex')}/${adv.scanResponse.toString('hex')}`;
      const who = `${adv.addressType}/${adv.address}`;
      if (seen.get(who) === key) return;
      seen.set(who, key);
      this.emit('scanned', adv, withData);
    });
    const world = this.host.world;
    const timer = timeoutMs === undefined ? null : world.clock.setTimeout(() => this.stopScan(), world.scaled(timeoutMs));
    this.scanning = { stop: () => scan.stop(), timer };
    return true;
  }

  stopScan(): void {
    const scanning = this.scanning;
    if (!scanning) return;
    this.scanning = null;
    if (scanning.timer !== null) this.host.world.clock.clearTimeout(scanning.timer);
    scanning.stop();
  }

  /** §2.2.13: OK at once; the link (or DISCONNECTED after 18 s) comes as events. */
  connect(addressType: BleAddressType, address: string): boolean {
    const radio = this.radio;
    if (this.role !== 1 || !radio || this.link || this.connecting) return false;
    const attempt = new AbortController();
    this.connecting = attempt;
    const { connInterval, connTimeout, mtu } = this.settings;
    background(this.host, async () => {
      let link: BleLink;
      try {
        link = await radio.connect(address, addressType, {
          handler: this.centralHandler,
          mtu,
          params: { intervalMs: connInterval * CONN_INTERVAL_UNIT_MS, supervisionTimeoutMs: connTimeout * SUPERVISION_UNIT_MS },
          timeoutMs: CONNECT_TIMEOUT_MS,
          signal: attempt.signal,
        });
      } catch {
        if (this.connecting !== attempt) return; // cancelled here (reset, AT+QBLEDISCONN): already told
        this.connecting = null;
        this.state = 'DISCONNECTED';
        this.emit('disconnected');
        return;
      }
      if (this.connecting !== attempt) return link.disconnect('central');
      this.connecting = null;
      this.adopt(link, 'central');
      // Example 4.2.3: the central gets notifications without AT+QBLEGATTCNTFCFG.
      for (const c of link.gatt) if ((c.properties.notify || c.properties.indicate) && !link.subscribed(c.uuid)) link.subscribe(c.uuid, true);
      this.emit('connected', link, 'central');
    });
    return true;
  }

  /** §2.2.15: the MTU asked at the next connection; while connected, an exchange now. */
  setMtu(mtu: number): boolean {
    if (this.role !== 1) return false;
    this.settings.mtu = mtu;
    const link = this.centralLink();
    if (link) {
      background(this.host, async () => {
        const got = await link.exchangeMtu(mtu).catch(() => null);
        if (got !== null && link === this.link) this.emit('mtu', got);
      });
    }
    return true;
  }

  /** §2.2.16: notifications of a notifiable characteristic of the peer on or off. */
  setNotifications(uuidText: string, on: boolean): boolean {
    const link = this.centralLink();
    const c = link && this.peerCharacteristic(link, uuidText, (p) => p.notify || p.indicate);
    if (!link || !c) return false;
    return unlessRefused(() => (link.subscribe(c.uuid, on), true)) !== null;
  }

  /** §2.2.17: a write to a writable characteristic of the peer. */
  write(uuidText: string, data: Buffer): boolean {
    const link = this.centralLink();
    const c = link && this.peerCharacteristic(link, uuidText, (p) => p.write || p.writeNoResponse);
    if (!link || !c || this.queueFull || data.length > link.mtu - 3) return false;
    return this.sent(unlessRefused(() => link.write(c.uuid, data)));
  }

  /**
   * After a send: the medium took it (true), and whether its queue is now full. While it is, the
   * next AT+QBLEGATTSNTFY / AT+QBLEGATTCWR answers ERROR (nothing lost: the host sends it again)
   * rather than waiting, which could wedge the UART behind a peer that stopped reading.
   */
  private sent(roomLeft: boolean | null): boolean {
    if (roomLeft === null) return false;
    if (!roomLeft) this.queueFull = true;
    return true;
  }

  /** §2.2.18: the value comes to the host raw once read. */
  read(uuidText: string): boolean {
    const link = this.centralLink();
    const c = link && this.peerCharacteristic(link, uuidText, (p) => p.read);
    if (!link || !c) return false;
    background(this.host, async () => {
      const value = await link.read(c.uuid).catch(() => null);
      if (value && value.length > 0 && link === this.link) this.host.urc(value, { always: true });
    });
    return true;
  }

  // --- §2.2.19 either side -------------------------------------------------------------------

  /** Ends the link (both sides then hear DISCONNECTED) or cancels a connect attempt. */
  disconnect(): boolean {
    if (this.connecting) {
      const attempt = this.connecting;
      this.connecting = null;
      attempt.abort();
      this.state = 'DISCONNECTED';
      this.emit('disconnected');
      return true;
    }
    if (!this.link) return false;
    this.link.disconnect(this.side);
    return true;
  }

  /**
   * AT+QBLETRANMODE: a central sends to a writable characteristic of the peer, a peripheral
   * notifies one of its own. Null when not connected or the UUID does not fit.
   */
  openTransparent(uuidText: string): BleTransparent | null {
    const link = this.link;
    if (!link || this.transparent) return null;
    const uuid =
      this.side === 'central'
        ? this.peerCharacteristic(link, uuidText, (p) => p.write || p.writeNoResponse)?.uuid
        : this.ownCharacteristic(uuidText, 'notify');
    if (!uuid) return null;
    const session = new BleTransparent(link, this.side, uuid, this.host.line, () => {
      if (this.transparent === session) this.transparent = null;
    });
    this.transparent = session;
    return session;
  }

  dispose(): void {
    this.teardown(false);
  }

  // --- the link --------------------------------------------------------------------------------

  private readonly peripheralHandler: PeripheralHandler = {
    connected: (link) => {
      if (this.link || !this.peripheral) return link.disconnect('peripheral');
      this.adopt(link, 'peripheral');
      this.emit('connected', link, 'peripheral');
      if (this.role === 3) this.wifiConfig = new WifiConfigSession(this.host, link, this.configUuids.notify, this.opts.ownUrc);
    },
    written: (link, uuid, data) => {
      if (link !== this.link) return true;
      if (this.role === 3) {
        if (sameUuid(uuid, this.configUuids.write)) this.wifiConfig?.written(data);
        return true; // configuration writes never reach the UART
      }
      return this.toHost(link, data);
    },
    disconnected: (link) => this.linkEnded(link),
  };

  private readonly centralHandler: CentralHandler = {
    notified: (link, _uuid, data) => (link === this.link ? this.toHost(link, data) : true),
    disconnected: (link) => this.linkEnded(link),
  };

  private adopt(link: BleLink, side: Side): void {
    this.link = link;
    this.side = side;
    this.state = 'CONNECTED';
    this.queueFull = false;
    link.on('closed', this.onClosed);
    link.on('drain', this.onDrain);
  }

  private readonly onDrain = (side: Side): void => {
    if (side === this.side) this.queueFull = false;
  };

  private readonly onClosed = (): void => {
    if (this.link) this.linkEnded(this.link);
  };

  /** The link ended (either side, any reason), once. */
  private linkEnded(link: BleLink): void {
    if (link !== this.link) return;
    this.release(link);
    if (this.side === 'central') this.state = 'DISCONNECTED';
    else if (this.advertiseWanted) this.advertise();
    else this.state = 'NOADVERTISING';
    this.emit('disconnected');
  }

  /** Forgets the link: a transparent session ends (NO CARRIER), Wi-Fi configuration stops. */
  private release(link: BleLink): void {
    link.off('closed', this.onClosed);
    link.off('drain', this.onDrain);
    this.link = null;
    if (this.resumeOnWritable) this.host.line.off('writable', this.resumeOnWritable);
    this.resumeOnWritable = null;
    const session = this.transparent;
    if (session) {
      this.host.line.endSession(session);
      session.stop();
    }
    this.wifiConfig?.stop();
    this.wifiConfig = null;
  }

  /** Data from the peer: raw to the host (the transparent session's, or held like a URC). */
  private toHost(link: BleLink, data: Buffer): boolean {
    const line = this.host.line;
    if (line.outputBlocked) {
      this.resumeWhenWritable(link);
      return false;
    }
    const session = this.transparent;
    if (session && line.ownsLine(session)) line.toHost(session, data);
    else this.host.urc(data, { always: true }); // data, not a URC: AT+QURCCFG=0 does not stop it
    return true;
  }

  private resumeWhenWritable(link: BleLink): void {
    if (this.resumeOnWritable) return;
    const side = this.side;
    const resume = () => {
      this.host.line.off('writable', resume);
      this.resumeOnWritable = null;
      if (link.open) link.resume(side);
    };
    this.resumeOnWritable = resume;
    this.host.line.on('writable', resume);
  }

  private centralLink(): BleLink | null {
    return this.role === 1 && this.side === 'central' ? this.link : null;
  }

  /** The peer's characteristic by UUID (as the host writes it) with a property; undefined when none. */
  private peerCharacteristic(link: BleLink, uuidText: string, has: (p: GattProperties) => boolean): GattCharacteristic | undefined {
    const uuid = parseUuid(uuidText);
    return uuid === null ? undefined : link.gatt.find((c) => sameUuid(c.uuid, uuid) && has(c.properties));
  }

  /** One of this module's characteristics that can `notify`: its UUID as the table holds it. */
  private ownCharacteristic(uuidText: string, property: 'notify'): string | undefined {
    const uuid = parseUuid(uuidText);
    if (uuid === null) return undefined;
    const found = this.gattTable()
      .flatMap((s) => s.characteristics)
      .find((c) => sameUuid(c.uuid, uuid) && c.properties[property]);
    return found?.uuid;
  }

  // --- advertising -------------------------------------------------------------------------------

  /** The table centrals find: the configuration service in role 3, the host's service in role 2. */
  private gattTable(): GattServiceDef[] {
    if (this.role === 3) {
      const u = this.configUuids;
      return [
        {
          uuid: u.service,
          characteristics: [
            { uuid: u.write, properties: CONFIG_WRITE },
            { uuid: u.notify, properties: CONFIG_NOTIFY },
          ],
        },
      ];
    }
    if (this.role !== 2 || !this.own) return [];
    return [{ uuid: this.own.uuid, characteristics: this.own.characteristics.map((uuid) => ({ uuid, properties: CHARACTERISTIC })) }];
  }

  private advertise(): void {
    if (!this.radio) return;
    const { name, advData, advIntervalMin } = this.settings;
    this.radio.advertise(
      { advData: advData ?? defaultAdvData(name), scanResponse: scanResponse(name), intervalMs: advIntervalMin * ADV_SLOT_MS, connectable: true },
      this.gattTable(),
      this.peripheralHandler,
      { mtu: PERIPHERAL_MTU },
    );
    this.advertiseWanted = true;
    this.state = 'ADVERTISING';
  }

  /** A change the manual says "takes effect immediately": advertising goes on with it. */
  private refreshAdvertising(): void {
    if (this.state === 'ADVERTISING' && !this.link) this.advertise();
  }

  /** De-init (`polite`: the peer hears the link end), reset, power-off (silent: the peer times out). */
  private teardown(polite: boolean): void {
    this.stopScan();
    const attempt = this.connecting;
    this.connecting = null;
    attempt?.abort();
    const link = this.link;
    if (link) {
      this.release(link);
      if (polite && link.open) link.disconnect(this.side);
    }
    this.radio?.detach();
    this.radio = null;
    this.role = 0;
    this.state = 'NOINIT';
    this.own = null;
    this.advertiseWanted = false;
  }
}

/** What `send` returned, or null when the medium refused it (BleError: the table changed, the link closed). */
function unlessRefused(send: () => boolean): boolean | null {
  try {
    return send();
  } catch (error) {
    if (error instanceof BleError) return null;
    throw error;
  }
}

/** The role-3 UUIDs from the module's options (FeatureOptions.bleConfigUuids); a bad one is a bad option. */
function configUuids(given: Partial<ConfigUuids> | undefined): ConfigUuids {
  const pick = (key: keyof ConfigUuids) => {
    const text = given?.[key];
    if (text === undefined) return DEFAULT_CONFIG_UUIDS[key];
    const uuid = parseUuid(text);
    if (uuid === null) throw new Error(`bleConfigUuids.${key}: not a 16-bit or 128-bit UUID: ${text}`);
    return uuid;
  };
  return { service: pick('service'), write: pick('write'), notify: pick('notify') };
}
