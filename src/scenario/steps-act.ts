/**
 * The steps that do something: send bytes as the host, inject bytes towards the host as if the
 * module said them, change the world (the same World calls as the control API's routes), start and
 * stop faults (the control plane's catalogue), power. A change the world refuses is a StepError.
 */
import type { Fc41dModule } from '../device/module.ts';
import { FaultSpecError, type FaultSpecInput } from '../faults/faults.ts';
import type { AccessPointInput, WorldConfig } from '../world/schema.ts';
import { type StepContext, StepError, StepFailed } from './context.ts';
import type { Step } from './schema.ts';
import { waitFor } from './wait.ts';

type StepValue<K extends string> = Extract<Step, Record<K, unknown>>[K & keyof Extract<Step, Record<K, unknown>>];

/** send: bytes as if the host wrote them (text as UTF-8, or hex). */
export function send(module: Fc41dModule, value: StepValue<'send'>): void {
  module.input(typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.hex, 'hex'));
}

/** inject: a URC (framed, even with URCs off) or raw bytes to the host, once the module runs. */
export async function inject(ctx: StepContext, module: Fc41dModule, value: StepValue<'inject'>, timeoutMs: number): Promise<void> {
  const on = await waitFor(() => (module.state === 'on' ? true : null), [onPower(module)], timeoutMs, ctx.signal);
  if (on === null) throw new StepFailed('on', `${module.label} was ${module.state}, not on, for ${timeoutMs} ms: nothing to inject into`);
  // The engine's URC queue: it goes out when no command is running, as a real URC would.
  if ('urc' in value) module.urc(value.urc, { always: true });
  else module.urc('bytes' in value ? Buffer.from(value.bytes, 'utf8') : Buffer.from(value.hex, 'hex'), { always: true });
}

/** Subscribes to a module's power changes, for waitFor. */
export const onPower = (module: Fc41dModule) => (listener: () => void) => {
  module.on('power', listener);
  return () => void module.off('power', listener);
};

/** world: an AP changed, added or removed; a BLE peer's signal, link or presence; a hosts-map entry. */
export function changeWorld(ctx: StepContext, value: StepValue<'world'>): void {
  const { world } = ctx;
  const note = (change: Record<string, unknown>) => ctx.trace.write({ dir: 'info', world: change });
  if ('ap' in value) {
    const { ap: ssid, add, remove, ...patch } = value;
    if (add) {
      let added;
      try {
        added = world.addAccessPoint({ ssid, ...add } as AccessPointInput);
      } catch (e) {
        throw new StepError(`cannot add access point ${ssid}: ${(e as Error).message}`);
      }
      return note({ accessPoint: added, change: 'added' });
    }
    const aps = world.accessPoints().filter((a) => a.ssid === ssid);
    if (aps.length === 0) throw new StepError(`the world has no access point ${ssid}`);
    for (const ap of aps) {
      if (remove) {
        world.removeAccessPoint(ap.bssid);
        note({ accessPoint: ap, change: 'removed' });
        continue;
      }
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      try {
        note({ accessPoint: world.updateAccessPoint(ap.bssid, changes), change: 'changed', patch: changes });
      } catch (e) {
        throw new StepError(`cannot change access point ${ssid}: ${(e as Error).message}`);
      }
    }
    return;
  }
  if ('ble-peer' in value) {
    const name = value['ble-peer'];
    const peer = world.ble.peers().find((p) => p.name === name);
    if (!peer) throw new StepError(`the world has no BLE peer ${name}`);
    if (value.remove) world.ble.removePeer(name);
    else if (value.disconnect) peer.disconnect();
    else peer.setRssi(value.rssi!);
    return note({ peer: name, change: value.remove ? 'removed' : value.disconnect ? 'disconnected' : 'changed', ...(value.rssi === undefined ? {} : { patch: { rssi: value.rssi } }) });
  }
  if (value.remove) {
    if (!world.removeHost(value.host)) throw new StepError(`the hosts map has no ${value.host}`);
    return note({ host: value.host, change: 'removed' });
  }
  const entry: WorldConfig['hosts'][string] = value.ports ? { address: value.address!, ports: value.ports } : value.address!;
  world.setHost(value.host, entry);
  note({ host: value.host, entry, change: 'set' });
}

/** fault: start one of the catalogue (named by `as`, else by its id), or stop one or all. */
export function fault(ctx: StepContext, value: StepValue<'fault'>): void {
  const { faults } = ctx.world;
  if ('start' in value) {
    const { module, ...spec } = value.start as { module?: number } & Record<string, unknown>;
    const label = module === undefined ? undefined : ctx.modules[module]?.label;
    if (value.as !== undefined && ctx.faults.has(value.as)) throw new StepError(`a fault named ${value.as} is running already`);
    let id: string;
    try {
      id = faults.add({ ...spec, ...(label === undefined ? {} : { module: label }) } as FaultSpecInput).id;
    } catch (e) {
      throw new StepError(e instanceof FaultSpecError ? `${e.field}: ${e.message}` : (e as Error).message);
    }
    ctx.faults.set(value.as ?? id, id);
    return;
  }
  if (value.stop === 'all') {
    for (const f of faults.list()) faults.remove(f.id);
    ctx.faults.clear();
    return;
  }
  const id = ctx.faults.get(value.stop) ?? value.stop;
  if (!faults.remove(id)) throw new StepError(`no running fault ${value.stop}`);
  ctx.faults.delete(value.stop);
}

/** power: reset (AT+QRST's restart), power-cut, power-on, wake (from deep sleep). */
export function power(module: Fc41dModule, action: StepValue<'power'>): void {
  switch (action) {
    case 'reset':
      return module.restart();
    case 'power-cut':
      return module.powerOff();
    case 'power-on':
      return module.powerOn();
    case 'wake':
      if (!module.wake()) throw new StepFailed('sleeping', `${module.label} is ${module.state}, not sleeping: nothing to wake`);
  }
}
