/**
 * `fc41d fleet`: --devices N modules of one shard in this process, sharing one world, each driven
 * by a device program (src/fleet/), and `fc41d fleet merge FILE…`. docs/fleet.md.
 * What it prints on stdout (stable: tests and scripts parse it):
 *   fc41d: fleet devices <n> (indices <a>–<b> of <N>, shard <i>/<N>)      at the start
 *   fc41d: fleet broker <host>:<port>[ (built-in, on 127.0.0.1:<port>)]
 *   fc41d: control http://<host>:<port>/                                     (--control)
 *   fc41d: fleet <figure …>                                                  the summary at the end
 *   fc41d: fleet results <file>                                              (--results)
 * On stderr: the progress bar (a TTY) or a progress line every 10 s, device programs' log lines
 * (the first 50; then how many more), trouble that does not stop the run.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { registerMetrics } from '../control/routes-metrics.ts';
import type { ControlServer } from '../control/server.ts';
import { mergeResults, readResults } from '../fleet/merge.ts';
import { fleetMetricsText } from '../fleet/prometheus.ts';
import { loadDeviceProgram, telemetryProgram } from '../fleet/program.ts';
import { resultsOf } from '../fleet/results.ts';
import { startFleet } from '../fleet/runner.ts';
import { parseShard, type Shard, shardFromEnv, shardRange } from '../fleet/shard.ts';
import { mergedSummaryLines, startProgress, summaryLines } from '../fleet/summary.ts';
import type { DeviceProgram } from '../fleet/types.ts';
import { TraceHub } from '../trace-hub.ts';
import { BROKER_HOST, BROKER_MQTT_PORT, startWorldBroker, type WorldBroker } from '../world/broker.ts';
import { defaultWorld } from '../world/default-world.ts';
import { World } from '../world/world.ts';
import { checkControlOptions, type ControlOptions, startControl } from './control.ts';
import type { ModuleSet } from './modules.ts';
import { loadWorldConfig, UsageError } from './options.ts';

export interface FleetCliOptions extends ControlOptions {
  devices?: number;
  shard?: string;
  world?: string;
  broker?: string;
  device?: string;
  behaviour?: 'telemetry';
  ap?: string;
  interval?: number;
  duration?: number;
  ramp?: number;
  results?: string;
  seed?: number;
  /** A client target (docs/client.md): drive that one module instead of building modules. */
  target?: string;
  /** V8's heap growing percent: lower trades CPU (more frequent GC) for a lower peak RSS. */
  heapGrowth?: number;
}

const MAX_LOG_LINES = 50;
const say = (text: string) => process.stdout.write(`fc41d: ${text}\n`);
const warn = (text: string) => process.stderr.write(`fc41d: ${text}\n`);

/** `HOST[:PORT]` (port 1883 by default); `[v6]:PORT` too. */
export function parseBroker(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(value.trim());
  const port = m?.[3] === undefined ? 1883 : Number(m[3]);
  if (!m || port < 1 || port > 65535) throw new UsageError(`--broker ${value}: expected HOST[:PORT], e.g. 127.0.0.1:1883`);
  return { host: m[1] ?? m[2]!, port };
}

/** `SSID:KEY` (split at the first colon) or `SSID` for an open AP. */
export function parseAp(value: string): { ssid: string; key?: string } {
  const i = value.indexOf(':');
  const ssid = i < 0 ? value : value.slice(0, i);
  if (ssid === '' || Buffer.byteLength(ssid) > 32) throw new UsageError(`--ap ${value}: expected SSID:KEY (SSID 1-32 bytes)`);
  return i < 0 ? { ssid } : { ssid, key: value.slice(i + 1) };
}

export async function runFleet(opts: FleetCliOptions): Promise<number> {
  if (opts.target !== undefined) opts = { ...opts, devices: opts.devices ?? 1 };
  if (opts.devices === undefined) throw new UsageError('fleet needs --devices N');
  checkControlOptions(opts);
  if ((opts.device === undefined) === (opts.behaviour === undefined)) throw new UsageError('fleet needs either --device FILE or --behaviour telemetry');
  let shard: Shard;
  try {
    shard = opts.shard !== undefined ? parseShard(opts.shard) : (shardFromEnv() ?? { index: 0, count: 1 });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { start, end } = shardRange(opts.devices, shard);
  const world = opts.world === undefined ? defaultWorld() : new World(loadWorldConfig(opts.world));
  const seed = opts.seed ?? 1;

  // Where the devices' MQTT goes: --broker, or the default world's built-in broker.
  let broker: WorldBroker | null = null;
  let brokerAt: { host: string; port: number };
  const where: string[] = [];
  if (opts.broker !== undefined) {
    brokerAt = parseBroker(opts.broker);
    // One lookup for the fleet (not one per device), kept in the hosts map: it also makes the
    // broker reachable from an AP without internet.
    if (isIP(brokerAt.host) === 0 && world.resolveHost(brokerAt.host) === undefined) {
      const found = await lookup(brokerAt.host, { family: 4 }).catch(() => undefined);
      if (found) world.addHost(brokerAt.host, found.address);
      else warn(`fleet broker ${brokerAt.host} does not resolve now; each device will ask DNS`);
    }
    where.push(`fleet broker ${brokerAt.host}:${brokerAt.port}`);
  } else {
    brokerAt = { host: BROKER_HOST, port: BROKER_MQTT_PORT };
    broker = await startWorldBroker(world);
    where.push(`fleet broker ${BROKER_HOST}:${BROKER_MQTT_PORT}${broker ? ` (built-in, on ${broker.address}:${broker.mqttPort})` : " (the world file's)"}`);
  }

  let program: DeviceProgram;
  try {
    if (opts.device !== undefined) program = await loadDeviceProgram(opts.device);
    else {
      const ap = opts.ap !== undefined ? parseAp(opts.ap) : opts.world === undefined ? { ssid: 'Office', key: 'correct-horse' } : undefined;
      if (!ap) throw new UsageError('--behaviour telemetry with --world needs --ap SSID:KEY');
      if (!world.accessPoints().some((a) => a.ssid === ap.ssid)) throw new UsageError(`--ap ${ap.ssid}: the world has no access point of that name`);
      program = telemetryProgram({ ssid: ap.ssid, key: ap.key, brokerHost: brokerAt.host, brokerPort: brokerAt.port, intervalS: opts.interval ?? 10, seed });
    }
  } catch (e) {
    await broker?.close();
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }

  let logged = 0;
  const log = (line: string) => {
    if (++logged <= MAX_LOG_LINES) warn(line);
    else if (logged === MAX_LOG_LINES + 1) warn('fleet: more device log lines are not shown (counted in the summary as errors where they were)');
  };
  process.on('unhandledRejection', (error) => warn(`internal error, kept running: ${describe(error)}`));
  process.on('uncaughtException', (error) => warn(`internal error, kept running: ${describe(error)}`));

  // Read by V8 at every GC when it sets the next limit, so it takes effect now (docs/fleet.md).
  if (opts.heapGrowth !== undefined) setFlagsFromString(`--heap-growing-percent=${opts.heapGrowth}`);
  say(`fleet devices ${end - start} (indices ${start}–${end - 1} of ${opts.devices}, shard ${shard.index}/${shard.count})`);
  let run;
  try {
    run = startFleet({ world, start, end, program, ramp: opts.ramp, durationS: opts.duration, seed, log, target: opts.target });
  } catch (e) {
    await broker?.close();
    throw new UsageError((e as Error).message);
  }
  const unregister = registerMetrics(world, () => fleetMetricsText(run));
  const trace = new TraceHub(0);
  let control: ControlServer | null = null;
  try {
    const set: ModuleSet = { world, worldSource: opts.world ?? '(embedded default)', modules: run.modules, trace, close: async () => {} };
    control = await startControl(set, opts);
    if (control) where.push(`control ${control.url}`);
  } catch (e) {
    await run.stop();
    await broker?.close();
    throw e;
  }
  for (const line of where) say(line);

  const stopProgress = startProgress(run);
  const stop = () => void run.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await run.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  stopProgress();

  const results = resultsOf(run, { shard, devicesTotal: opts.devices, endedAt: Date.now() });
  for (const line of summaryLines(results)) say(`fleet ${line}`);
  let code = 0;
  if (opts.results !== undefined) {
    try {
      writeFileSync(opts.results, `${JSON.stringify(results)}\n`);
      say(`fleet results ${opts.results}`);
    } catch (e) {
      warn(`fleet results ${opts.results}: cannot write it (${(e as Error).message})`);
      code = 1;
    }
  }
  unregister();
  await control?.close().catch(() => {});
  await broker?.close().catch(() => {});
  world.dispose();
  trace.close();
  return code;
}

/** `fc41d fleet merge FILE… [--out FILE]`: 0 merged, 1 a duplicate identity (or a missing index). */
export function runMerge(files: string[], opts: { out?: string }): number {
  let inputs;
  try {
    inputs = files.map((path) => ({ path, results: readResults(path) }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const merged = mergeResults(inputs);
  for (const line of mergedSummaryLines(merged)) say(`fleet ${line}`);
  if (opts.out !== undefined) writeFileSync(opts.out, `${JSON.stringify(merged, null, 2)}\n`);
  return merged.duplicates.length > 0 ? 1 : 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
