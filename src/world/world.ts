/**
 * The simulated radio world shared by one or many modules: access points (from the world
 * file, and the soft-APs modules open), DHCP leases, the clock and the time scale of radio
 * events. It knows nothing about AT commands. Tests and the control API change it while
 * modules run (an AP vanishes, comes back, changes key or signal); modules listen to `ap`.
 * For repeatable runs it holds the seed every random choice draws from (`randomFor`) and the
 * network mode: live, record or replay through a cassette (`setNet`, docs/cassettes.md).
 */
import { EventEmitter } from 'node:events';
import { type Clock, realClock } from '../clock.ts';
import { FaultSet } from '../faults/faults.ts';
import { derivedRandom, type Random } from '../random.ts';
import type { Cassette } from '../replay/cassette.ts';
import { type NetMode, WorldNet } from '../replay/world-net.ts';
import { BleMedium } from './ble/medium.ts';
import { hostInSubnet, hostNumber, type IpConfig } from './ip.ts';
import { RANGE_LIMIT_DBM } from './range.ts';
import { type AccessPointConfig, AccessPointSchema, type AccessPointInput, parseWorld, type WorldConfig } from './schema.ts';

/** Below this signal an AP (or a BLE radio) is out of range: not scanned, not joinable, links drop. */
export { RANGE_LIMIT_DBM };

export interface AccessPoint extends AccessPointConfig {
  bssid: string;
  /** The MAC of the module whose soft-AP this is; absent for the world's own APs. */
  owner?: string;
}

export type ApChange = 'added' | 'changed' | 'removed';

/** A hosts-map entry: an IPv4 address, or `{ address, ports }` (the world file's `hosts`). */
export type HostEntry = WorldConfig['hosts'][string];

export interface WorldEvents {
  ap: [ap: AccessPoint, change: ApChange];
  /** A bug in something the world ran by itself (a BLE party's handler threw): for the CLI's log. */
  fault: [error: unknown];
  /** A replay met a connection the cassette does not hold, or bytes that differ (docs/cassettes.md). */
  'replay-miss': [description: string];
}

export interface WorldOptions {
  /** Every random choice the world and its modules make draws from this seed (`fc41d test --seed`). */
  seed?: number;
}

export type AccessPointPatch = Partial<Pick<AccessPoint, 'password' | 'security' | 'rssi' | 'channel' | 'up' | 'internet' | 'dhcp'>>;

/** One AP's leases: station MAC → host number, the numbers taken, and where the next search starts. */
interface LeaseTable {
  byMac: Map<string, number>;
  used: Set<number>;
  next: number;
}

export class World extends EventEmitter<WorldEvents> {
  readonly clock: Clock;
  readonly timeScale: number;
  /** The BLE medium: modules' BLE and the world file's virtual peers (docs/ble-medium.md). */
  readonly ble: BleMedium;
  /** Faults started on demand (control API, tests): dial(), UDP, DHCP and the UARTs ask it. */
  readonly faults: FaultSet;
  /** The seed of a repeatable run; undefined: random choices are Math.random's and the system's. */
  readonly seed: number | undefined;
  /** The way out for dial(): live, record or replay, and the seeded local ports (src/replay/). */
  readonly net: WorldNet;
  private readonly streams = new Map<string, Random>();
  private readonly hosts: WorldConfig['hosts'];
  private readonly aps = new Map<string, AccessPoint>();
  /** bssid → its leases (host numbers in the AP's pool). */
  private readonly leases = new Map<string, LeaseTable>();
  /** Stations (MACs) that hear every AP at a signal of their own (setStationSignal). */
  private readonly stationRssi = new Map<string, number>();
  /** BSSIDs made for APs without one; a counter, so a removal never makes two alike. */
  private generated = 0;

  constructor(config: WorldConfig = parseWorld({}), clock: Clock = realClock, opts: WorldOptions = {}) {
    super();
    this.setMaxListeners(0); // every module listens
    this.clock = clock;
    this.seed = opts.seed;
    const faultsRandom = this.randomFor('faults');
    this.faults = new FaultSet(faultsRandom ? { random: faultsRandom } : {});
    const ports = this.randomFor('ports');
    this.net = new WorldNet({ clock, ...(ports ? { ports } : {}), onMiss: (d) => this.emit('replay-miss', d) });
    this.timeScale = config.timeScale;
    this.hosts = { ...config.hosts }; // addHost() adds to it
    for (const ap of config.accessPoints) this.insert(ap);
    this.ble = new BleMedium({ clock, scaled: (ms) => this.scaled(ms), peers: config.ble?.peers ?? [], onFault: (e) => this.emit('fault', e) });
  }

  /**
   * The seeded stream for one purpose ('faults', 'ports', 'http-boundary', …), the same one on
   * every call; undefined without a seed (the caller keeps its own randomness).
   */
  randomFor(purpose: string): Random | undefined {
    if (this.seed === undefined) return undefined;
    let stream = this.streams.get(purpose);
    if (!stream) this.streams.set(purpose, (stream = derivedRandom(this.seed, purpose)));
    return stream;
  }

  /** Live, record into `cassette` (an empty one if none is given) or replay from it (docs/cassettes.md). */
  setNet(mode: NetMode, cassette?: Cassette): void {
    this.net.set(mode, cassette);
  }

  /** Stops what the world runs by itself (BLE peers, links, scans): no timer of its own is left. */
  dispose(): void {
    this.ble.dispose();
    this.faults.clear();
  }

  /** A name in the hosts map (case-insensitive), with the port it maps `port` to; undefined: ask DNS. */
  resolveHost(name: string, port = 0): { address: string; port: number } | undefined {
    const key = Object.keys(this.hosts).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) return undefined;
    const entry = this.hosts[key];
    if (typeof entry === 'string') return { address: entry, port };
    return { address: entry.address, port: entry.ports[String(port)] ?? port };
  }

  /**
   * Adds a name to the hosts map while the world runs (serve's broker, src/world/broker.ts).
   * A name the map already has (any case) is kept as it is: false.
   */
  addHost(name: string, entry: HostEntry): boolean {
    if (Object.keys(this.hosts).some((k) => k.toLowerCase() === name.toLowerCase())) return false;
    this.hosts[name] = entry;
    return true;
  }

  /** Sets a name in the hosts map (PUT /api/world/hosts/{name}); replaces an entry of that name in any case. */
  setHost(name: string, entry: HostEntry): void {
    this.removeHost(name);
    this.hosts[name] = entry;
  }

  /** Removes a name (any case) from the hosts map; false when there was none. */
  removeHost(name: string): boolean {
    const keys = Object.keys(this.hosts).filter((k) => k.toLowerCase() === name.toLowerCase());
    for (const k of keys) delete this.hosts[k];
    return keys.length > 0;
  }

  /** The hosts map as it is now (a copy). */
  hostEntries(): WorldConfig['hosts'] {
    return { ...this.hosts };
  }

  /** A radio delay in real milliseconds. */
  scaled(ms: number): number {
    return ms * this.timeScale;
  }

  /** Waits a radio delay on the world clock. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, this.scaled(ms)));
  }

  accessPoints(): AccessPoint[] {
    return [...this.aps.values()].map((ap) => ({ ...ap }));
  }

  /**
   * APs a module can hear: switched on and in range; strongest first. With `station` (the module's
   * MAC): not its own soft-AP, and each at the station's own signal (setStationSignal).
   */
  audible(station?: string): AccessPoint[] {
    return this.accessPoints()
      .map((ap) => this.heardBy(ap, station))
      .filter((ap) => ap.up && ap.rssi >= RANGE_LIMIT_DBM && (station === undefined || ap.owner !== station))
      .sort((a, b) => b.rssi - a.rssi);
  }

  /** An AP as the world holds it, or as `station` (a MAC) hears it (setStationSignal). */
  find(bssid: string, station?: string): AccessPoint | undefined {
    const ap = this.aps.get(bssid.toLowerCase());
    return ap && this.heardBy({ ...ap }, station);
  }

  /**
   * Every AP heard by these stations (MACs) at `rssi` dBm instead of its own signal, or at its own
   * again with null: a fleet's "30 % of devices lose signal" (POST /api/fleet/signal). Stations
   * re-check their link at once (an `ap` change for every AP).
   */
  setStationSignal(stations: readonly string[], rssi: number | null): void {
    for (const mac of stations) {
      if (rssi === null) this.stationRssi.delete(mac.toLowerCase());
      else this.stationRssi.set(mac.toLowerCase(), rssi);
    }
    for (const ap of this.aps.values()) this.emit('ap', { ...ap }, 'changed');
  }

  /** Stations with a signal of their own (MAC → dBm). */
  stationSignals(): Map<string, number> {
    return new Map(this.stationRssi);
  }

  private heardBy(ap: AccessPoint, station: string | undefined): AccessPoint {
    const rssi = station === undefined ? undefined : this.stationRssi.get(station.toLowerCase());
    return rssi === undefined ? ap : { ...ap, rssi };
  }

  /** Adds an AP (validated like the world file); a soft-AP names its owner. */
  addAccessPoint(input: AccessPointInput, owner?: string): AccessPoint {
    const ap = this.insert(AccessPointSchema.parse(input), owner);
    this.emit('ap', { ...ap }, 'added');
    return { ...ap };
  }

  updateAccessPoint(bssid: string, patch: AccessPointPatch): AccessPoint {
    const ap = this.aps.get(bssid.toLowerCase());
    if (!ap) throw new Error(`no access point ${bssid}`);
    const { owner: _owner, ...config } = ap;
    Object.assign(ap, AccessPointSchema.parse({ ...config, ...patch }));
    this.emit('ap', { ...ap }, 'changed');
    return { ...ap };
  }

  removeAccessPoint(bssid: string): void {
    const ap = this.aps.get(bssid.toLowerCase());
    if (!ap) return;
    this.aps.delete(ap.bssid);
    this.leases.delete(ap.bssid);
    this.emit('ap', { ...ap }, 'removed');
  }

  /** What a real AP checks at association: the key must fit its security. */
  keyMatches(ap: AccessPoint, key: string | undefined): boolean {
    if (ap.security === 'OPEN') return key === undefined || key === '';
    return key === ap.password;
  }

  /**
   * A DHCP lease on an AP: the same station keeps its address; null when the pool is full or a
   * `dhcp-failure` fault on the AP's SSID (for this module, by its label) holds the offer back.
   */
  lease(bssid: string, mac: string, module?: string): IpConfig | null {
    bssid = bssid.toLowerCase();
    const ap = this.aps.get(bssid);
    if (!ap) return null;
    const fault = this.faults.find('dhcp-failure', { ssid: ap.ssid, ...(module === undefined ? {} : { module }) });
    if (fault) {
      this.faults.hit(fault, 1, { ssid: ap.ssid, ...(module === undefined ? {} : { module }) });
      return null;
    }
    let table = this.leases.get(bssid);
    if (!table) this.leases.set(bssid, (table = { byMac: new Map(), used: new Set(), next: ap.dhcp.first }));
    let host = table.byMac.get(mac);
    if (host === undefined) {
      host = freeHost(table, ap.dhcp);
      if (host === undefined) return null;
      table.byMac.set(mac, host);
      table.used.add(host);
      table.next = host + 1;
    }
    const { gateway, mask, dns } = ap.dhcp;
    return { ip: hostInSubnet(gateway, host), mask, gateway, dns: dns ?? gateway };
  }

  /** Whether an address on an AP's pool is leased to some station. */
  isLeased(bssid: string, ip: string): boolean {
    bssid = bssid.toLowerCase();
    const ap = this.aps.get(bssid);
    const table = this.leases.get(bssid);
    if (!ap || !table) return false;
    return table.used.has(hostNumber(ap.dhcp.gateway, ip));
  }

  private insert(config: AccessPointConfig, owner?: string): AccessPoint {
    let bssid = config.bssid;
    while (bssid === undefined || (config.bssid === undefined && this.aps.has(bssid))) bssid = bssidFor(config.ssid, this.generated++);
    if (this.aps.has(bssid)) throw new Error(`two access points with BSSID ${bssid}`);
    const ap: AccessPoint = { ...config, bssid, ...(owner === undefined ? {} : { owner }) };
    this.aps.set(bssid, ap);
    return ap;
  }
}

/**
 * The first free host number of the pool from where the last search ended, wrapping once (leases
 * are never returned, so a fleet of 10,000 takes them in O(1) each); never the gateway's own.
 */
function freeHost(table: LeaseTable, pool: AccessPointConfig['dhcp']): number | undefined {
  const gateway = hostNumber(pool.gateway, pool.gateway);
  const size = pool.last - pool.first + 1;
  const start = table.next >= pool.first && table.next <= pool.last ? table.next : pool.first;
  for (let i = 0; i < size; i++) {
    const h = pool.first + ((start - pool.first + i) % size);
    if (h !== gateway && !table.used.has(h)) return h;
  }
  return undefined;
}

/** A stable, locally administered BSSID made from the SSID. */
function bssidFor(ssid: string, index: number): string {
  let h = 2166136261;
  for (const b of Buffer.from(`${ssid}/${index}`)) h = Math.imul(h ^ b, 16777619) >>> 0;
  const bytes = [0x02, index & 0xff, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
