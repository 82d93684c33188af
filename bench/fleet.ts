/**
 * Issue 15's fleet benchmark: N (10,000) emulated FC41Ds in one process, each driven over the
 * in-process transport by a minimal AT host (bench/fleet-driver.ts) with a live MQTT session
 * (AT+QMTOPEN / AT+QMTCONN) to a local Debian mosquitto this bench starts, publishing QoS 1
 * (AT+QMTPUB) every 10 s; beside it, in the same run against the same broker, N bare MQTT.js
 * clients doing the same, the ceiling. Each side runs in a process of its own
 * (bench/fleet-worker.ts), one after the other, so that its peak RSS and CPU are its own.
 * Printed: peak RSS (target: the fleet under 1 GB), memory per device, connect rate, CPU while
 * connecting and while publishing, the broker's CPU, and publish latency percentiles (AT+QMTPUB
 * → `+QMTPUB: 0,<id>,0`, and → delivery to a subscriber), each with the ratio fleet / bare.
 *
 *   node --import tsx bench/fleet.ts [--devices N] [--rounds R] [--window S] [--interval S] [--concurrency C]
 *
 * Every descriptor counts: each side holds N + a few sockets, and so does the broker; the
 * bench raises both to the hard `ulimit -n` and refuses an N that does not fit (docs/fleet.md).
 * Not part of the tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fileLimits, MOSQUITTO, startFleetBroker } from './fleet-broker.ts';
import { printFleetFigures } from './fleet-report.ts';
import type { Side, WorkerOptions, WorkerResult } from './fleet-worker.ts';

export interface FleetBenchOptions {
  devices?: number;
  rounds?: number;
  /** Seconds of publishing measured per side and round. */
  windowS?: number;
  /** Seconds between one device's publishes. */
  intervalS?: number;
  /** Sessions being set up at once. */
  concurrency?: number;
  /** Which sides run, in this order each round; bare is always measured (the baseline). */
  sides?: Side[];
}

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
/** Descriptors a side needs beyond one per device: stdio, the subscriber, the event loop's own, Node's. */
const SPARE_FDS = 100;

const DEFAULT_SIDES: Side[] = ['fleet', 'client'];

/** `fleet,bare` → sides; undefined when absent; a word that is no side is an error. */
function sidesFrom(text: string | undefined): Side[] | undefined {
  if (text === undefined) return undefined;
  const sides = text.split(',').map((s) => s.trim());
  const bad = sides.find((s) => !['fleet', 'client', 'bare'].includes(s));
  if (bad !== undefined) throw new Error(`--sides: fleet, client or bare, not ${JSON.stringify(bad)}`);
  return sides as Side[];
}

/** One side in its own process (open-files limit raised to the hard limit); resolves with its figures. */
function runSide(o: WorkerOptions, fileLimit: number): Promise<WorkerResult> {
  const raise = Number.isFinite(fileLimit) ? `ulimit -n ${fileLimit} 2>/dev/null; ` : '';
  const child = spawn('/bin/sh', ['-c', `${raise}exec "$0" "$@"`, process.execPath, '--import', 'tsx', '--expose-gc', WORKER, JSON.stringify(o)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Generous: 50 sessions/s at worst, the window, the grace for the last answers.
  const limitMs = 60_000 + (o.devices / 50) * 1000 + o.windowMs + 30_000;
  return new Promise((resolve, reject) => {
    let result: WorkerResult | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${o.mode} side took more than ${Math.round(limitMs / 1000)} s`));
    }, limitMs);
    child.on('message', (m) => (result = m as WorkerResult));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`the ${o.mode} side exited ${code ?? signal} without figures`));
    });
  });
}

function mosquittoVersion(): string {
  const out = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8' }).stdout ?? '';
  return /mosquitto version (\S+)/.exec(out)?.[1] ?? '?';
}

export async function benchFleet(options: FleetBenchOptions = {}): Promise<void> {
  const devices = options.devices ?? env('BENCH_FLEET_DEVICES', 10_000);
  const rounds = options.rounds ?? env('BENCH_FLEET_ROUNDS', 1);
  const windowMs = (options.windowS ?? env('BENCH_FLEET_WINDOW_S', 30)) * 1000;
  const intervalMs = (options.intervalS ?? 10) * 1000;
  const concurrency = options.concurrency ?? 100;
  const order = [...new Set([...(options.sides ?? sidesFrom(process.env.BENCH_FLEET_SIDES) ?? DEFAULT_SIDES), 'bare' as const])];
  try {
    accessSync(MOSQUITTO, constants.X_OK);
  } catch {
    console.log(`fleet: skipped, ${MOSQUITTO} not found (apt-get install -y mosquitto)`);
    return;
  }
  const limits = fileLimits();
  if (devices + SPARE_FDS > limits.hard) {
    console.log(`fleet: skipped, ${devices} devices need ${devices + SPARE_FDS} open files and the hard limit (ulimit -Hn) is ${limits.hard}`);
    return;
  }
  const loadBefore = loadavg()[0];
  const broker = await startFleetBroker();
  try {
    const sides: Partial<Record<Side, WorkerResult[]>> = {};
    const base = { devices, port: broker.port, brokerPid: broker.pid, concurrency, intervalMs, windowMs };
    for (let round = 0; round < rounds; round++) {
      for (const mode of order) {
        (sides[mode] ??= []).push(await runSide({ ...base, mode }, limits.hard));
        await new Promise((r) => setTimeout(r, 2000)); // the broker lets the side's sessions go
      }
    }
    printFleetFigures(sides, {
      devices,
      rounds,
      windowS: windowMs / 1000,
      intervalS: intervalMs / 1000,
      concurrency,
      cpus: cpus().length,
      broker: `mosquitto ${mosquittoVersion()}`,
      fileLimits: { bench: limits.hard, broker: broker.fileLimit },
      load: [loadBefore, loadavg()[0]],
    });
  } finally {
    await broker.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: a positive number, not ${JSON.stringify(v)}`);
    return n;
  };
  let options: FleetBenchOptions;
  try {
    const { values } = parseArgs({
      options: {
        devices: { type: 'string' },
        rounds: { type: 'string' },
        window: { type: 'string' },
        interval: { type: 'string' },
        concurrency: { type: 'string' },
        sides: { type: 'string' },
      },
    });
    options = {
      devices: num(values.devices, 'devices'),
      rounds: num(values.rounds, 'rounds'),
      windowS: num(values.window, 'window'),
      intervalS: num(values.interval, 'interval'),
      concurrency: num(values.concurrency, 'concurrency'),
      sides: sidesFrom(values.sides),
    };
  } catch (e) {
    console.error(`bench/fleet.ts: ${(e as Error).message}`);
    process.exit(2);
  }
  await benchFleet(options);
}
