/**
 * The BLE medium: the shared radio every BLE party of a world is on (emulated modules' BLE, and
 * the virtual peers of the world file). It carries advertising to scanners, makes connections and
 * runs their links; it knows nothing about AT commands. Timing, range, links, flow control and
 * the GATT handle layout: docs/ble-medium.md.
 */
import type { Clock } from '../../clock.ts';
import { PendingConnect } from './connecting.ts';
import { normaliseAddress } from './ids.ts';
import { Link, MAX_MTU, MIN_MTU } from './link.ts';
import { VirtualPeer } from './peer.ts';
import type { BlePeerConfig, BlePeerInput } from './peer-schema.ts';
import { BlePeerSchema } from './peer-schema.ts';
import { Radio, type RadioHost } from './radio.ts';
import { advertisementOf, Scan } from './scanning.ts';
import { TimerSet } from './timers.ts';
import { type Advertisement, type BleAddressType, BleError, type BleLink, type BleRadio, type ConnectOptions } from './types.ts';

export const DEFAULT_RSSI = -40;
export const DEFAULT_INTERVAL_MS = 37.5;
export const DEFAULT_SUPERVISION_TIMEOUT_MS = 5000;

export interface BleMediumOptions {
  clock: Clock;
  /** A radio delay in real ms (the world's timeScale). */
  scaled: (ms: number) => number;
  /** Virtual peers to start now (the world file's `ble.peers`). */
  peers?: BlePeerConfig[];
  /** A party's handler threw inside a radio event (a bug): reported here, never thrown. */
  onFault?: (error: unknown) => void;
}

export class BleMedium {
  private readonly timers: TimerSet;
  private readonly scaled: (ms: number) => number;
  private readonly radios = new Map<string, Radio>();
  private readonly scans = new Set<Scan>();
  private readonly pending = new Set<PendingConnect>();
  private readonly liveLinks = new Set<Link>();
  private readonly virtualPeers = new Map<string, VirtualPeer>();
  private nextLinkId = 1;
  private readonly host: RadioHost;

  constructor(opts: BleMediumOptions) {
    this.timers = new TimerSet(opts.clock, opts.onFault);
    this.scaled = opts.scaled;
    this.host = {
      now: () => this.timers.clock.now(),
      advertisingChanged: (radio, restarted) => this.advertisingChanged(radio, restarted),
      rangeChanged: (radio) => this.rangeChanged(radio),
      scan: (radio, on) => this.scan(radio, on),
      connect: (radio, address, type, o) => this.connect(radio, address, type, o),
      links: (radio) => [...this.liveLinks].filter((l) => l.involves(radio)),
      detach: (radio) => this.detach(radio),
    };
    for (const peer of opts.peers ?? []) this.startPeer(peer);
  }

  /** A party joins the medium. Throws when the address is malformed or already attached. */
  attach(opts: { address: string; addressType: BleAddressType; rssi?: number }): BleRadio {
    return this.attachRadio(opts);
  }

  /** What is advertising now (in range or not: each with its rssi), for the control API. */
  advertisers(): Advertisement[] {
    return [...this.radios.values()].filter((r) => r.advertising).map(advertisementOf);
  }

  /** Links up now (either end still there). */
  links(): BleLink[] {
    return [...this.liveLinks];
  }

  // --- virtual peers (peer.ts) ---

  /** A peer by name or address; throws when there is none. */
  peer(nameOrAddress: string): VirtualPeer {
    const address = normaliseAddress(nameOrAddress);
    const found = this.virtualPeers.get(nameOrAddress) ?? [...this.virtualPeers.values()].find((p) => p.address === address);
    if (!found) throw new Error(`no BLE peer ${nameOrAddress}`);
    return found;
  }

  peers(): VirtualPeer[] {
    return [...this.virtualPeers.values()];
  }

  /** Adds a peer (validated like the world file) and starts it. */
  addPeer(config: BlePeerInput): VirtualPeer {
    const parsed = BlePeerSchema.safeParse(config);
    if (!parsed.success) throw new Error(`BLE peer: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(peer)'}: ${i.message}`).join('; ')}`);
    return this.startPeer(parsed.data);
  }

  /** Stops a peer (its radio detaches: its links time out at the other side) and forgets it. */
  removePeer(name: string): void {
    const peer = this.virtualPeers.get(name);
    if (!peer) return;
    this.virtualPeers.delete(name);
    peer.stop();
  }

  /** Stops every peer, scan, pending connect, link and timer: the world holds nothing any more. */
  dispose(): void {
    for (const peer of this.virtualPeers.values()) peer.stop();
    this.virtualPeers.clear();
    for (const p of [...this.pending]) p.fail(new BleError('aborted', 'the medium stopped'));
    for (const scan of this.scans) scan.stop();
    this.scans.clear();
    for (const link of [...this.liveLinks]) link.stop();
    this.timers.clearAll();
  }

  /** Timers armed now (a test checks nothing is left behind). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  // --- inside ---

  private startPeer(config: BlePeerConfig): VirtualPeer {
    if (this.virtualPeers.has(config.name)) throw new Error(`two BLE peers named ${config.name}`);
    const peer = new VirtualPeer(config, {
      attach: (o) => this.attachRadio(o),
      timers: this.timers,
      scaled: this.scaled,
    });
    this.virtualPeers.set(config.name, peer);
    try {
      peer.start();
    } catch (e) {
      this.virtualPeers.delete(config.name);
      throw e;
    }
    return peer;
  }

  private attachRadio(opts: { address: string; addressType: BleAddressType; rssi?: number }): Radio {
    const address = normaliseAddress(opts.address);
    if (address === undefined) throw new Error(`not a BLE address: ${opts.address}`);
    if (this.radios.has(address)) throw new Error(`BLE address ${address} is already attached`);
    const radio = new Radio(this.host, address, opts.addressType, opts.rssi ?? DEFAULT_RSSI);
    this.radios.set(address, radio);
    this.rangeChanged(radio);
    return radio;
  }

  private advertisingChanged(radio: Radio, restarted: boolean): void {
    for (const scan of this.scans) scan.refresh(radio, restarted);
    this.refreshConnects();
  }

  private rangeChanged(radio: Radio): void {
    for (const scan of this.scans) {
      if (scan.radio === radio) for (const other of this.radios.values()) scan.refresh(other, false);
      else scan.refresh(radio, false);
    }
    this.refreshConnects();
    for (const link of this.liveLinks) link.rangeChanged();
  }

  private scan(radio: Radio, onAdvertisement: (adv: Advertisement) => void): { stop(): void } {
    const scan = new Scan(radio, onAdvertisement, this.timers, this.scaled);
    if (radio.attached) {
      this.scans.add(scan);
      for (const other of this.radios.values()) scan.refresh(other, false);
    }
    return {
      stop: () => {
        scan.stop();
        this.scans.delete(scan);
      },
    };
  }

  private connect(central: Radio, address: string, addressType: BleAddressType, opts: ConnectOptions): Promise<BleLink> {
    return new Promise((resolve, reject) => {
      const target = normaliseAddress(address);
      if (target === undefined) throw new Error(`not a BLE address: ${address}`);
      if (!central.attached) throw new BleError('aborted', 'the radio is detached');
      const busy =
        [...this.pending].some((p) => p.central === central) ||
        [...this.liveLinks].some((l) => l.hasCentral(central));
      if (busy) throw new BleError('busy', 'already connected or connecting as a central');
      const pending = new PendingConnect(
        central,
        target,
        addressType,
        opts,
        this.timers,
        this.scaled,
        resolve,
        reject,
        (p, peripheral) => this.establish(p, peripheral),
        (p) => this.pending.delete(p),
      );
      this.pending.add(pending);
      pending.start(this.radios.get(target));
    });
  }

  private refreshConnects(): void {
    for (const p of [...this.pending]) p.refresh(this.radios.get(p.address));
  }

  private establish(pending: PendingConnect, peripheral: Radio): BleLink {
    const adv = peripheral.advertiser;
    if (!adv) throw new BleError('closed', 'the peripheral stopped advertising');
    const central = pending.central;
    const { opts } = pending;
    const intervalMs = opts.params?.intervalMs ?? DEFAULT_INTERVAL_MS;
    const supervisionTimeoutMs = opts.params?.supervisionTimeoutMs ?? DEFAULT_SUPERVISION_TIMEOUT_MS;
    const link: Link = new Link({
      id: this.nextLinkId++,
      central: { address: central.address, addressType: central.addressType },
      peripheral: { address: peripheral.address, addressType: peripheral.addressType, name: adv.name },
      centralRadio: central,
      peripheralRadio: peripheral,
      mtu: Math.max(MIN_MTU, Math.min(opts.mtu, adv.mtu, MAX_MTU)),
      peripheralMtu: adv.mtu,
      server: adv.server,
      centralHandler: opts.handler,
      peripheralHandler: adv.handler,
      intervalMs: this.scaled(intervalMs),
      supervisionTimeoutMs: this.scaled(supervisionTimeoutMs),
      timers: this.timers,
      reachable: () => this.radios.get(central.address) === central && central.audible && this.radios.get(peripheral.address) === peripheral && peripheral.audible,
      ended: (l) => this.liveLinks.delete(l),
    });
    this.liveLinks.add(link);
    peripheral.stopAdvertising(); // one link per advertising: the peripheral advertises again if it wants more
    adv.handler.connected(link);
    return link;
  }

  private detach(radio: Radio): void {
    this.radios.delete(radio.address);
    for (const scan of [...this.scans]) {
      if (scan.radio === radio) {
        scan.stop();
        this.scans.delete(scan);
      } else scan.refresh(radio, false);
    }
    for (const p of [...this.pending]) if (p.central === radio) p.fail(new BleError('aborted', 'the radio detached'));
    this.refreshConnects();
    for (const link of [...this.liveLinks]) link.detached(radio);
  }
}
