/**
 * The fleet runner: the devices of one shard in one process, each a module (built when its turn
 * in the ramp comes, no transport: the client attaches in-process) in one shared World (seen
 * through its station's view, so a signal can be taken from some devices only), driven
 * by a device program. It sizes the world's DHCP pools for the fleet, starts devices at most
 * `ramp` per second, stops when `duration` ends, `stop()` is called or every program has
 * returned, and hands back what the
 * summary and the results file need. Nothing here prints: the CLI (src/cli/fleet.ts) does.
 */
import { setMaxListeners } from 'node:events';
import { connectClient } from '../client/index.ts';
import { Fc41dModule } from '../device/module.ts';
import { derivedRandom } from '../random.ts';
import { poolFor } from '../world/ip.ts';
import type { World } from '../world/world.ts';
import { deviceIdentity, type DeviceIdentity } from './identity.ts';
import { FleetMetrics } from './metrics.ts';
import type { Shard } from './shard.ts';
import type { AtClient, DeviceContext, DeviceProgram } from './types.ts';

export interface FleetOptions {
  world: World;
  /** Global indices [start, end) this process runs. */
  start: number;
  end: number;
  program: DeviceProgram;
  /** Devices started per second at most; undefined: as fast as they come. */
  ramp?: number;
  /** Seconds until the run stops by itself; undefined: until stop(). */
  durationS?: number;
  /** The seed of each device's random stream (derived per index). */
  seed?: number;
  /** A device program's log line (already prefixed). */
  log?: (line: string) => void;
  /**
   * Drive a module elsewhere instead of building one (a client target: `tcp:HOST:PORT`, a serial
   * device, docs/client.md): the same program against `fc41d serve` or real hardware. One device.
   */
  target?: string;
  /** How long stopping waits for programs to return before closing their modules. */
  stopGraceMs?: number;
}

export interface FleetSnapshot {
  devices: number;
  started: number;
  modulesUp: number;
  joined: number;
  mqttConnected: number;
  publishes: number;
  errors: number;
  reconnects: number;
  publishesPerS: number;
  errorsPerS: number;
}

export interface FleetRun {
  readonly metrics: FleetMetrics;
  /** Modules built so far, in index order (the control API's `modules`). */
  readonly modules: Fc41dModule[];
  readonly identities: DeviceIdentity[];
  readonly startedAt: number;
  /** ms from the start until every device had an MQTT session at once; undefined: never. */
  allConnectedMs(): number | undefined;
  snapshot(): FleetSnapshot;
  /** The figures as they were when the run was told to stop (or now, while it runs). */
  final(): FleetSnapshot;
  /** Every metric by name, as when the run was told to stop (or now). */
  finalCounters(): Record<string, number>;
  /** Ends the run (idempotent); resolves when every module is closed. */
  stop(): Promise<void>;
  /** Resolves when the run has ended (duration over, or stop()). */
  readonly done: Promise<void>;
}

const START_BATCH = 50;

/** Gives every AP of the world room for `stations` leases (ip.ts poolFor). */
export function sizePools(world: World, stations: number): void {
  for (const ap of world.accessPoints()) {
    if (ap.owner !== undefined) continue;
    const pool = poolFor(ap.dhcp, stations);
    if (!pool) throw new Error(`access point ${ap.ssid}: no subnet of ${ap.dhcp.gateway} holds ${stations} stations`);
    if (pool !== ap.dhcp) world.updateAccessPoint(ap.bssid, { dhcp: pool });
  }
}

export function startFleet(opts: FleetOptions): FleetRun {
  const { world, start, end } = opts;
  const count = end - start;
  if (opts.target !== undefined && count !== 1) throw new Error(`--target drives one module, not ${count}`);
  const metrics = new FleetMetrics();
  const modules: Fc41dModule[] = [];
  const clients: AtClient[] = [];
  const identities: DeviceIdentity[] = [];
  for (let i = start; i < end; i++) identities.push(deviceIdentity(i));
  sizePools(world, count);

  const startedAt = Date.now();
  const abort = new AbortController();
  // Each device has a signal of its own, aborted with the run's: an AbortSignal's listeners are
  // a list searched on every add and remove, and every command waiting would be on one shared
  // list of ten thousand.
  const deviceAborts = new Set<AbortController>();
  let allConnectedAt: number | undefined;
  let frozen: FleetSnapshot | undefined;
  let frozenCounters: Record<string, number> | undefined;
  let started = 0;
  const programs: Promise<void>[] = [];
  const log = opts.log ?? (() => {});
  const deviceMetrics = {
    inc: (name: string, n?: number) => {
      metrics.inc(name, n);
      if (name === 'mqtt_connected' && allConnectedAt === undefined && metrics.get('mqtt_connected') >= count) allConnectedAt = Date.now();
    },
    observe: (name: string, ms: number) => metrics.observe(name, ms),
  };

  const runDevice = async (identity: DeviceIdentity): Promise<void> => {
    const prefix = `device ${identity.index}: `;
    let client: AtClient;
    try {
      if (opts.target !== undefined) client = await connectClient(opts.target, { timeoutMs: 30_000 });
      else {
        const module = new Fc41dModule({ world, label: `device ${identity.index}`, mac: identity.mac, echo: false });
        modules.push(module);
        client = await connectClient({ module }, { waitReady: true, timeoutMs: 30_000 });
      }
    } catch (e) {
      metrics.inc('errors');
      log(`${prefix}no client: ${(e as Error).message}`);
      return;
    }
    clients.push(client);
    const own = new AbortController();
    setMaxListeners(0, own.signal); // a program may wait on many things at once
    deviceAborts.add(own);
    if (abort.signal.aborted) own.abort();
    const ctx: DeviceContext = {
      index: identity.index,
      identity: { ...identity },
      signal: own.signal,
      log: (msg) => log(`${prefix}${msg}`),
      metrics: deviceMetrics,
    };
    try {
      await opts.program(client, ctx);
    } catch (e) {
      if (!abort.signal.aborted) {
        metrics.inc('errors');
        log(`${prefix}program failed: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  };

  // The ramp: devices in index order, at most `ramp` a second, in small batches so the event
  // loop keeps serving the ones already running.
  const launch = async () => {
    const interval = opts.ramp ? 1000 / opts.ramp : 0;
    for (const identity of identities) {
      if (abort.signal.aborted) return;
      if (interval > 0) {
        const due = startedAt + started * interval;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (started % START_BATCH === 0 && started > 0) await new Promise((r) => setImmediate(r));
      if (abort.signal.aborted) return;
      started++;
      programs.push(runDevice(identity));
    }
  };
  const launched = launch();

  const ticker = setInterval(() => metrics.tick(), 1000);
  metrics.tick();

  const snapshot = (): FleetSnapshot => ({
    devices: count,
    started,
    modulesUp: modules.filter((m) => m.state === 'on').length,
    joined: metrics.get('joined'),
    mqttConnected: metrics.get('mqtt_connected'),
    publishes: metrics.get('publishes'),
    errors: metrics.get('errors'),
    reconnects: metrics.get('reconnects'),
    publishesPerS: metrics.rate('publishes'),
    errorsPerS: metrics.rate('errors'),
  });

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;
  const durationTimer = opts.durationS === undefined ? null : setTimeout(() => void stop(), opts.durationS * 1000);
  const stop = () =>
    (stopping ??= (async () => {
      if (durationTimer) clearTimeout(durationTimer);
      metrics.tick();
      frozen = snapshot();
      frozenCounters = metrics.counters();
      abort.abort();
      for (const own of deviceAborts) own.abort();
      await launched;
      // Programs see the signal and return (the built-in one says goodbye to the broker first).
      const grace = new Promise<void>((r) => setTimeout(r, opts.stopGraceMs ?? 5000).unref());
      await Promise.race([Promise.allSettled(programs), grace]);
      clearInterval(ticker);
      await Promise.allSettled(clients.map((c) => c.close()));
      for (const m of modules) m.dispose();
      resolveDone();
    })());

  // Programs that run to their end (a script that checks something) end the run when all have.
  void launched.then(() => Promise.allSettled(programs)).then(() => {
    if (!abort.signal.aborted) void stop();
  });

  return {
    metrics,
    modules,
    identities,
    startedAt,
    allConnectedMs: () => (allConnectedAt === undefined ? undefined : allConnectedAt - startedAt),
    snapshot,
    final: () => frozen ?? snapshot(),
    finalCounters: () => frozenCounters ?? metrics.counters(),
    stop,
    done,
  };
}

/** Each device's own seeded stream (jitter, a program's choices). */
export function deviceRandom(seed: number, index: number) {
  return derivedRandom(seed, `device/${index}`);
}

export type { Shard };
