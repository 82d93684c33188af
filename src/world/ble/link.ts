/**
 * A connection between a central and a peripheral (the BleLink contract, types.ts).
 *
 * Time moves in connection events, every `intervalMs` (already scaled) from the link's start; an
 * event is armed only while there is something to carry, so an idle link holds no timer. At each
 * event, per direction, up to PACKETS_PER_EVENT packets go to the receiver, in order; a receiver
 * that refuses one (handler returns false) pauses that direction until it calls resume(). Reads,
 * MTU exchanges and subscription changes complete at the next event. While either party is out
 * of range (or gone) nothing moves, and after the supervision timeout the link ends with
 * 'timeout' on each side that still listens.
 */
import { EventEmitter } from 'node:events';
import { nextEventAt } from './advertising.ts';
import type { GattServer } from './gatt.ts';
import type { TimerSet } from './timers.ts';
import {
  type BleAddressType,
  BleError,
  type BleLink,
  type CentralHandler,
  type DisconnectReason,
  type GattCharacteristic,
  type PeripheralHandler,
} from './types.ts';

export const PACKETS_PER_EVENT = 6;
/** write()/notify() return false once a direction holds this many bytes… */
export const HIGH_WATER = 16 * 1024;
/** …and `drain` fires when it falls below this. */
export const LOW_WATER = 4 * 1024;
export const MIN_MTU = 23;
export const MAX_MTU = 512;

type Side = 'central' | 'peripheral';

interface Packet {
  uuid: string;
  data: Buffer;
}

/** One direction's queue, named by who receives it. */
class Direction {
  readonly queue: Packet[] = [];
  bytes = 0;
  /** The receiver refused the head packet: nothing goes until it resumes. */
  paused = false;
  /** A send returned false: `drain` is owed. */
  owesDrain = false;

  get ready(): boolean {
    return this.queue.length > 0 && !this.paused;
  }

  clear(): void {
    this.queue.length = 0;
    this.bytes = 0;
    this.paused = false;
  }
}

export interface LinkOptions {
  id: number;
  central: { address: string; addressType: BleAddressType };
  peripheral: { address: string; addressType: BleAddressType; name: string };
  /** The parties' radios (identity only: a radio re-attached at the same address is another party). */
  centralRadio: object;
  peripheralRadio: object;
  mtu: number;
  /** The peripheral's largest MTU (exchangeMtu never goes above it). */
  peripheralMtu: number;
  server: GattServer;
  centralHandler: CentralHandler;
  peripheralHandler: PeripheralHandler;
  /** Connection interval and supervision timeout, real ms (scaled already). */
  intervalMs: number;
  supervisionTimeoutMs: number;
  timers: TimerSet;
  /** Whether both parties are attached and in range now. */
  reachable: () => boolean;
  /** Called once when the link has ended (the medium forgets it). */
  ended: (link: Link) => void;
}

export class Link extends EventEmitter implements BleLink {
  readonly id: number;
  readonly central: { address: string; addressType: BleAddressType };
  readonly peripheral: { address: string; addressType: BleAddressType; name: string };
  mtu: number;
  readonly gatt: readonly GattCharacteristic[];
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closingBy: Side | undefined;
  /** Which sides still hear the link (a party that detached hears nothing more). */
  private readonly listening = { central: true, peripheral: true };
  private readonly toPeripheral = new Direction();
  private readonly toCentral = new Direction();
  private readonly subscriptions = new Set<string>();
  private readonly pendingSubscriptions: Array<{ uuid: string; on: boolean }> = [];
  private readonly pendingReads: Array<{ uuid: string; resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  private readonly pendingMtu: Array<{ mtu: number; resolve: (m: number) => void; reject: (e: Error) => void }> = [];
  private readonly startedAt: number;
  private eventTimer: unknown;
  private supervisionTimer: unknown;

  constructor(private readonly o: LinkOptions) {
    super();
    this.id = o.id;
    this.central = { ...o.central };
    this.peripheral = { ...o.peripheral };
    this.mtu = o.mtu;
    this.gatt = o.server.table;
    this.startedAt = o.timers.clock.now();
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /** Whether the link has ended for good (closing links are not open, but not yet ended). */
  get ended(): boolean {
    return this.state === 'closed';
  }

  // --- the central's side ---

  write(uuid: string, data: Buffer): boolean {
    const c = this.characteristic(uuid);
    if (!c.properties.write && !c.properties.writeNoResponse) throw new BleError('not-permitted', `${c.uuid} is not writable`);
    this.checkLength(data);
    return this.send(this.toPeripheral, { uuid: c.uuid, data: Buffer.from(data) });
  }

  read(uuid: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const c = this.characteristic(uuid);
      if (!c.properties.read) throw new BleError('not-permitted', `${c.uuid} is not readable`);
      this.pendingReads.push({ uuid: c.uuid, resolve, reject });
      this.schedule();
    });
  }

  subscribe(uuid: string, on: boolean): void {
    const c = this.characteristic(uuid);
    if (!c.properties.notify && !c.properties.indicate) throw new BleError('not-permitted', `${c.uuid} cannot notify`);
    if (on) this.subscriptions.add(c.uuid);
    else this.subscriptions.delete(c.uuid);
    this.pendingSubscriptions.push({ uuid: c.uuid, on });
    this.schedule();
  }

  subscribed(uuid: string): boolean {
    const c = this.o.server.find(uuid);
    return c !== undefined && this.subscriptions.has(c.uuid);
  }

  exchangeMtu(mtu: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.state !== 'open') throw new BleError('closed', 'the link is closed');
      this.pendingMtu.push({ mtu, resolve, reject });
      this.schedule();
    });
  }

  // --- the peripheral's side ---

  notify(uuid: string, data: Buffer): boolean {
    const c = this.characteristic(uuid);
    if (!c.properties.notify && !c.properties.indicate) throw new BleError('not-permitted', `${c.uuid} cannot notify`);
    this.checkLength(data);
    this.o.server.store(c.uuid, data);
    if (!this.subscriptions.has(c.uuid)) return true; // not sent: the central did not ask
    return this.send(this.toCentral, { uuid: c.uuid, data: Buffer.from(data) });
  }

  // --- either side ---

  disconnect(by: Side): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closingBy = by;
    this.listening[by] = false; // it knows: its handler hears nothing of its own disconnect
    this.direction(by).clear(); // what was on its way to the side that left is dropped
    this.failPending(new BleError('closed', `the ${by} disconnected`));
    this.schedule();
  }

  resume(side: Side): void {
    const dir = this.direction(side);
    if (!dir.paused) return;
    dir.paused = false;
    this.schedule();
  }

  // --- the medium's side ---

  /** Whether `radio` takes part in this link and still hears it. */
  involves(radio: object): boolean {
    return (this.listening.central && this.o.centralRadio === radio) || (this.listening.peripheral && this.o.peripheralRadio === radio);
  }

  /** Whether `radio` is this link's central and the link is open. */
  hasCentral(radio: object): boolean {
    return this.state === 'open' && this.o.centralRadio === radio;
  }

  /** The party at `radio` lost power: it hears nothing more; the other side times out. */
  detached(radio: object): void {
    if (this.o.centralRadio === radio) this.listening.central = false;
    if (this.o.peripheralRadio === radio) this.listening.peripheral = false;
    this.rangeChanged();
  }

  /** A party moved or went: arm or cancel the supervision timeout. */
  rangeChanged(): void {
    if (this.state === 'closed') return;
    const { timers } = this.o;
    if (this.o.reachable()) {
      timers.clear(this.supervisionTimer);
      this.supervisionTimer = undefined;
      this.schedule();
    } else if (this.supervisionTimer === undefined) {
      timers.clear(this.eventTimer);
      this.eventTimer = undefined;
      this.supervisionTimer = timers.set(() => this.end('timeout'), this.o.supervisionTimeoutMs);
    }
  }

  /** Ends the link now without telling anyone (the medium is disposed). */
  stop(): void {
    if (this.close('the medium stopped')) this.o.ended(this);
  }

  // --- inside ---

  private characteristic(uuid: string): GattCharacteristic {
    if (this.state !== 'open') throw new BleError('closed', 'the link is closed');
    const c = this.o.server.find(uuid);
    if (!c) throw new BleError('no-characteristic', `no characteristic ${uuid}`);
    return c;
  }

  private checkLength(data: Buffer): void {
    if (data.length > this.mtu - 3) throw new BleError('too-long', `${data.length} bytes; a packet carries at most ${this.mtu - 3} (MTU ${this.mtu})`);
  }

  /** The queue whose receiver is `side`. */
  private direction(side: Side): Direction {
    return side === 'central' ? this.toCentral : this.toPeripheral;
  }

  private send(dir: Direction, packet: Packet): boolean {
    dir.queue.push(packet);
    dir.bytes += packet.data.length;
    this.schedule();
    if (dir.bytes < HIGH_WATER) return true;
    dir.owesDrain = true;
    return false;
  }

  private hasWork(): boolean {
    return (
      this.state === 'closing' ||
      this.toPeripheral.ready ||
      this.toCentral.ready ||
      this.pendingSubscriptions.length > 0 ||
      this.pendingReads.length > 0 ||
      this.pendingMtu.length > 0
    );
  }

  /** Arms the next connection event if there is work and both parties are reachable. */
  private schedule(): void {
    if (this.state === 'closed' || this.eventTimer !== undefined || !this.hasWork() || !this.o.reachable()) return;
    const now = this.o.timers.clock.now();
    const at = nextEventAt(this.startedAt, this.o.intervalMs, now);
    this.eventTimer = this.o.timers.set(() => {
      this.eventTimer = undefined;
      this.event();
    }, at - now);
  }

  private event(): void {
    if (this.state === 'closed' || !this.o.reachable()) return;
    if (this.state === 'closing') return this.closingEvent();
    for (const { uuid, on } of this.pendingSubscriptions.splice(0)) this.o.peripheralHandler.subscribed?.(this, uuid, on);
    this.deliver('peripheral');
    this.deliver('central');
    for (const r of this.pendingReads.splice(0)) {
      if (this.state !== 'open') break;
      r.resolve(Buffer.from(this.o.peripheralHandler.read?.(this, r.uuid) ?? this.o.server.value(r.uuid)));
    }
    for (const m of this.pendingMtu.splice(0)) {
      if (this.state !== 'open') break;
      this.mtu = Math.max(MIN_MTU, Math.min(m.mtu, this.o.peripheralMtu, MAX_MTU));
      m.resolve(this.mtu);
    }
    this.drained('peripheral');
    this.drained('central');
    this.schedule();
  }

  /** After disconnect(by): what was queued towards the other side goes first (a refusal drops the rest), then it hears the disconnect. */
  private closingEvent(): void {
    const other: Side = this.closingBy === 'central' ? 'peripheral' : 'central';
    const dir = this.direction(other);
    if (dir.paused) dir.clear();
    this.deliver(other);
    if (dir.paused) dir.clear();
    if (dir.queue.length > 0) return this.schedule();
    this.end(this.closingBy as Side);
  }

  private deliver(receiver: Side): void {
    const dir = this.direction(receiver);
    for (let n = 0; n < PACKETS_PER_EVENT && dir.ready && this.state !== 'closed'; n++) {
      const p = dir.queue[0];
      const taken =
        receiver === 'peripheral'
          ? this.o.peripheralHandler.written(this, p.uuid, p.data)
          : this.o.centralHandler.notified(this, p.uuid, p.data);
      if (dir.queue[0] !== p) return; // the handler ended the link meanwhile
      if (taken === false) {
        dir.paused = true;
        return;
      }
      dir.queue.shift();
      dir.bytes -= p.data.length;
      if (receiver === 'peripheral') this.o.server.store(p.uuid, p.data); // a write is the value reads see
    }
  }

  /** `drain` for the sender whose queue (towards `receiver`) fell below the low-water mark. */
  private drained(receiver: Side): void {
    const dir = this.direction(receiver);
    if (!dir.owesDrain || dir.bytes >= LOW_WATER || this.state !== 'open') return;
    dir.owesDrain = false;
    this.emit('drain', receiver === 'peripheral' ? 'central' : 'peripheral');
  }

  /** Marks the link closed, stops its timers, drops its queues and fails what waits; false when it already was. */
  private close(why: string): boolean {
    if (this.state === 'closed') return false;
    this.state = 'closed';
    this.o.timers.clear(this.eventTimer);
    this.o.timers.clear(this.supervisionTimer);
    this.toCentral.clear();
    this.toPeripheral.clear();
    this.failPending(new BleError('closed', why));
    return true;
  }

  private failPending(error: BleError): void {
    this.pendingSubscriptions.length = 0;
    for (const r of this.pendingReads.splice(0)) r.reject(error);
    for (const m of this.pendingMtu.splice(0)) m.reject(error);
  }

  /** The link is over: each side still listening hears why; `closed` fires once. */
  private end(reason: DisconnectReason): void {
    if (!this.close(reason === 'timeout' ? 'the link timed out' : `the ${reason} disconnected`)) return;
    const { central, peripheral } = this.listening;
    this.listening.central = this.listening.peripheral = false;
    this.o.ended(this);
    if (peripheral) this.o.peripheralHandler.disconnected(this, reason);
    if (central) this.o.centralHandler.disconnected(this, reason);
    this.emit('closed', reason);
  }
}
