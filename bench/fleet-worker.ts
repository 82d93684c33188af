/**
 * One side of the fleet bench in a process of its own (its peak RSS and CPU are that side's
 * alone): `devices` emulated modules or bare MQTT.js clients connect to the broker
 * `concurrency` at a time, then each publishes QoS 1 every `intervalMs` (spread evenly over the
 * interval) for `windowMs`, while one MQTT.js subscriber in this process times each message
 * from the publish to its delivery. Sends its figures to the parent over IPC and exits.
 * Started by bench/fleet.ts: `node --import tsx --expose-gc bench/fleet-worker.ts '<json>'`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { processCpuSeconds } from './fleet-broker.ts';
import { type BenchDevice, connectBare, connectModule, connectModuleWithClient, fleetWorld, noDelay } from './fleet-devices.ts';

/** fleet: modules with the minimal AT driver; client: modules with src/client's AtClient; bare: MQTT.js. */
export type Side = 'fleet' | 'client' | 'bare';

export interface WorkerOptions {
  mode: Side;
  devices: number;
  port: number;
  brokerPid: number;
  concurrency: number;
  intervalMs: number;
  windowMs: number;
}

export interface WorkerResult {
  mode: Side;
  devices: number;
  connected: number;
  failed: number;
  firstError?: string;
  /** RSS after start-up (code loaded, subscriber connected), before any device, after a GC. */
  baseRss: number;
  /** RSS with every session up, at the end of the publishing window, after a GC. */
  steadyRss: number;
  heapUsed: number;
  /** The process's peak RSS (getrusage maxrss). */
  peakRss: number;
  connectSeconds: number;
  /** CPU seconds (user + system) this process spent connecting, and during the window. */
  connectCpu: number;
  windowCpu: number;
  /** The broker's CPU seconds during the window. */
  brokerWindowCpu: number;
  windowSeconds: number;
  published: number;
  acked: number;
  delivered: number;
  publishErrors: number;
  drops: number;
  /** Milliseconds, sorted: publish → PUBACK at the device's host, and publish → delivery to the subscriber. */
  ackMs: number[];
  deliveryMs: number[];
  /** The event loop's delay during the window (a stalled loop delays every device at once), ms. */
  loopDelayP99: number;
  loopDelayMax: number;
}

declare const gc: (() => void) | undefined;
const collect = () => (typeof gc === 'function' ? gc() : undefined);
const settle = () => new Promise((r) => setTimeout(r, 200));
const TOPIC = 'bench/fleet/';

/** 64 bytes of JSON with the device's index and its sequence number. */
function payload(index: number, seq: number): string {
  const head = `{"d":${index},"seq":${seq},"pad":"`;
  return `${head}${'x'.repeat(64 - head.length - 2)}"}`;
}

async function run(o: WorkerOptions): Promise<WorkerResult> {
  const world = o.mode === 'bare' ? undefined : fleetWorld(o.devices);
  const sentAt = new Float64Array(o.devices);
  const sentSeq = new Int32Array(o.devices).fill(-1);
  const deliveryMs: number[] = [];
  let publishing = false;
  const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${o.port}`, { clientId: `bench-sub-${o.mode}`, reconnectPeriod: 0, clean: true });
  noDelay(subscriber);
  await subscriber.subscribeAsync(`${TOPIC}#`, { qos: 1 });
  subscriber.on('message', (topic, body) => {
    const now = performance.now();
    const index = Number(topic.slice(TOPIC.length));
    const seq = (JSON.parse(body.toString()) as { seq: number }).seq;
    if (sentSeq[index] === seq) deliveryMs.push(now - sentAt[index]); // only the window's publishes set sentSeq
  });

  // Twice: start-up garbage (module loading) freed and its pages given back, as at the end.
  for (let i = 0; i < 2; i++) {
    collect();
    await settle();
  }
  const baseRss = process.memoryUsage.rss();

  // Connect, `concurrency` sessions in flight at a time.
  const devices: (BenchDevice | undefined)[] = new Array(o.devices);
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const connectOne = (i: number) =>
    !world ? connectBare(i, o.port) : o.mode === 'client' ? connectModuleWithClient(world, i, o.port) : connectModule(world, i, o.port);
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, o.devices) }, async () => {
      for (let i = next++; i < o.devices; i = next++) {
        try {
          devices[i] = await connectOne(i);
        } catch (e) {
          failed++;
          firstError ??= (e as Error).message;
        }
      }
    }),
  );
  const connectSeconds = (performance.now() - t0) / 1000;
  const connectCpu = seconds(process.cpuUsage(cpu0));

  // Publish: device i every intervalMs, starting at i/N of the interval.
  const ackMs: number[] = [];
  let published = 0;
  let publishErrors = 0;
  const outstanding = new Set<Promise<void>>();
  const seqs = new Int32Array(o.devices);
  const publishOne = (i: number) => {
    const device = devices[i];
    if (!device || !publishing) return;
    const seq = seqs[i]++;
    const start = performance.now();
    sentAt[i] = start;
    sentSeq[i] = seq;
    published++;
    const p = device.publish(`${TOPIC}${i}`, payload(i, seq), (seq % 65535) + 1).then(
      () => void ackMs.push(performance.now() - start),
      () => void publishErrors++,
    );
    outstanding.add(p);
    void p.finally(() => outstanding.delete(p));
  };
  const timers: NodeJS.Timeout[] = [];
  publishing = true;
  const brokerCpu0 = processCpuSeconds(o.brokerPid);
  const cpu1 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < o.devices; i++) {
    timers.push(
      setTimeout(() => {
        publishOne(i);
        timers.push(setInterval(() => publishOne(i), o.intervalMs));
      }, (i * o.intervalMs) / o.devices),
    );
  }
  let peakSampled = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage.rss())), 500);
  await new Promise((r) => setTimeout(r, o.windowMs));
  publishing = false;
  const windowSeconds = (performance.now() - w0) / 1000;
  const windowCpu = seconds(process.cpuUsage(cpu1));
  const brokerWindowCpu = processCpuSeconds(o.brokerPid) - brokerCpu0;
  for (const t of timers) clearTimeout(t);
  clearInterval(sampler);
  loop.disable();

  // What was published in the window gets its answer (or up to 15 s), then the last deliveries.
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled([...outstanding]), new Promise((r) => (grace = setTimeout(r, 15_000)))]);
  clearTimeout(grace);
  await new Promise((r) => setTimeout(r, 1000));

  collect();
  await settle();
  const mem = process.memoryUsage();
  return {
    mode: o.mode,
    devices: o.devices,
    connected: devices.filter(Boolean).length,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
    baseRss,
    steadyRss: mem.rss,
    heapUsed: mem.heapUsed,
    peakRss: Math.max(process.resourceUsage().maxRSS * 1024, peakSampled),
    connectSeconds,
    connectCpu,
    windowCpu,
    brokerWindowCpu,
    windowSeconds,
    published,
    acked: ackMs.length,
    delivered: deliveryMs.length,
    publishErrors,
    drops: devices.reduce((n, d) => n + (d?.drops() ?? 0), 0),
    ackMs: ackMs.sort((a, b) => a - b),
    deliveryMs: deliveryMs.sort((a, b) => a - b),
    loopDelayP99: loop.percentile(99) / 1e6,
    loopDelayMax: loop.max / 1e6,
  };
}

const seconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
run(options).then(
  (result) => process.send!(result, () => process.exit(0)),
  (error: Error) => {
    console.error(`fleet bench worker (${options.mode}): ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
