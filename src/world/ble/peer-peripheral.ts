/**
 * A peer as peripheral (sensor, device): advertises, serves its characteristics' values, records
 * writes (echoing them back as notifications with `onWrite: "echo"`), and once a central turns
 * notifications of a `notify` characteristic on, notifies its `values` in turn every `everyMs`
 * (scaled; the first one `everyMs` after the subscription). At timeScale 0 the values go once
 * each, at 0 ms timers, without looping. It advertises again when a link ends.
 */
import { defaultAdvData } from './advertising.ts';
import { normaliseUuid } from './ids.ts';
import type { BlePeerConfig } from './peer-schema.ts';
import { packets, type RoleContext, RoleTimers } from './peer-role.ts';
import type { BleLink, GattServiceDef, PeripheralHandler } from './types.ts';

type CharacteristicConfig = BlePeerConfig['services'][number]['characteristics'][number];

export class PeripheralRole {
  private readonly values = new Map<string, Buffer>();
  private readonly characteristics = new Map<string, CharacteristicConfig>();
  private readonly links = new Set<BleLink>();
  /** Running sensors: `${link.id}/${uuid}` → its timer. */
  private readonly sensors = new Map<string, unknown>();
  private readonly timers: RoleTimers;
  private running = false;

  constructor(
    private readonly config: BlePeerConfig,
    private readonly ctx: RoleContext,
  ) {
    this.timers = new RoleTimers(ctx.timers);
    for (const s of config.services)
      for (const c of s.characteristics) {
        if (!this.characteristics.has(c.uuid)) this.characteristics.set(c.uuid, c);
        if (!this.values.has(c.uuid)) this.values.set(c.uuid, Buffer.from(c.value ?? []));
      }
  }

  start(): void {
    this.running = true;
    this.advertise();
  }

  stop(): void {
    this.running = false;
    this.timers.clearAll();
    this.sensors.clear();
  }

  notify(uuid: string, data: Buffer): boolean {
    const c = this.characteristic(uuid);
    this.values.set(c.uuid, Buffer.from(data));
    let ok = true;
    for (const link of this.links) if (link.open) for (const p of packets(data, link.mtu - 3)) ok = link.notify(c.uuid, p) && ok;
    return ok;
  }

  value(uuid: string): Buffer {
    return Buffer.from(this.values.get(this.characteristic(uuid).uuid) ?? []);
  }

  private characteristic(uuid: string): CharacteristicConfig {
    const c = this.characteristics.get(normaliseUuid(uuid) ?? uuid);
    if (!c) throw new Error(`BLE peer ${this.config.name} has no characteristic ${uuid}`);
    return c;
  }

  private advertise(): void {
    if (!this.running) return;
    const a = this.config.advertising;
    const services: GattServiceDef[] = this.config.services.map((s) => ({
      uuid: s.uuid,
      characteristics: s.characteristics.map((c) => ({
        uuid: c.uuid,
        value: c.value,
        properties: {
          read: c.properties.includes('read'),
          write: c.properties.includes('write'),
          writeNoResponse: c.properties.includes('writeNoResponse'),
          notify: c.properties.includes('notify'),
          indicate: c.properties.includes('indicate'),
        },
      })),
    }));
    const params = {
      advData: a.advData ?? defaultAdvData(this.config.name),
      scanResponse: a.scanResponse ?? Buffer.alloc(0),
      intervalMs: a.intervalMs,
      connectable: a.connectable,
    };
    this.ctx.radio.advertise(params, services, this.handler, { mtu: this.config.mtu });
  }

  private readonly handler: PeripheralHandler = {
    connected: (link) => {
      this.links.add(link);
      link.on('closed', (reason) => {
        this.links.delete(link);
        for (const key of [...this.sensors.keys()]) if (key.startsWith(`${link.id}/`)) this.stopSensor(key);
        this.ctx.disconnected(reason);
        this.advertise();
      });
      this.ctx.connected(link);
    },
    written: (link, uuid, data) => {
      this.values.set(uuid, Buffer.from(data));
      this.ctx.record('written', uuid, data);
      const c = this.characteristics.get(uuid);
      if (c?.onWrite === 'echo' && (c.properties.includes('notify') || c.properties.includes('indicate')) && link.open) link.notify(uuid, data);
      return true;
    },
    read: (_link, uuid) => this.values.get(uuid),
    subscribed: (link, uuid, on) => {
      const key = `${link.id}/${uuid}`;
      if (!on) return this.stopSensor(key);
      const c = this.characteristics.get(uuid);
      if (c?.notify && !this.sensors.has(key)) this.runSensor(key, link, uuid, c.notify, 0);
    },
    disconnected: () => {}, // `closed` (above) covers every way a link ends
  };

  /** Arms the sensor's next value. */
  private runSensor(key: string, link: BleLink, uuid: string, notify: NonNullable<CharacteristicConfig['notify']>, index: number): void {
    const period = this.ctx.scaled(notify.everyMs);
    const timer = this.timers.set(() => {
      if (!link.open) return this.stopSensor(key);
      const value = notify.values[index];
      this.values.set(uuid, Buffer.from(value));
      for (const p of packets(value, link.mtu - 3)) link.notify(uuid, p);
      const next = index + 1;
      if (next < notify.values.length) this.runSensor(key, link, uuid, notify, next);
      else if (notify.loop && period > 0) this.runSensor(key, link, uuid, notify, 0);
      else this.sensors.delete(key);
    }, period);
    this.sensors.set(key, timer);
  }

  private stopSensor(key: string): void {
    this.timers.clear(this.sensors.get(key));
    this.sensors.delete(key);
  }
}
