/**
 * The fleet bench's printout: each figure for the fleet (and the fleet driven by AtClient, when
 * measured) against the bare MQTT.js clients of the same run, with the ratio to bare (medians
 * over rounds when there are several), and the 1 GB target for the fleet's peak RSS.
 */
import { percentile } from '../src/fleet/metrics.ts';
import { median } from './setup.ts';
import type { Side, WorkerResult } from './fleet-worker.ts';

export interface FleetRunInfo {
  devices: number;
  rounds: number;
  windowS: number;
  intervalS: number;
  concurrency: number;
  broker: string;
  fileLimits: { bench: number; broker: number };
  cpus: number;
  /** The 1-minute load average before and after (other work on the machine skews the figures). */
  load: [number, number];
}

/** The fleet's peak RSS must stay under this (issue 15). */
export const TARGET_PEAK_RSS = 1024 * 1024 * 1024;

const MB = 1024 * 1024;

type Figure = (r: WorkerResult) => number;

const NAMES: Record<Side, string> = { fleet: 'fleet', client: 'fleet with AtClient', bare: 'bare' };

export function printFleetFigures(sides: Partial<Record<Side, WorkerResult[]>>, info: FleetRunInfo): void {
  const of = (side: WorkerResult[], f: Figure) => median(side.map(f));
  const measured = (['fleet', 'client'] as const).filter((s) => sides[s]?.length);
  const line = (what: string, f: Figure, unit: string, digits = 1, note = '') => {
    const bare = of(sides.bare ?? [], f);
    const each = measured.map((s) => {
      const v = of(sides[s]!, f);
      return { text: `${NAMES[s]} ${v.toFixed(digits)} ${unit}`, ratio: `${(v / bare).toFixed(2)}` };
    });
    const ratios = each.length > 1 ? `ratios ${each.map((e) => e.ratio).join(', ')}` : `ratio ${each[0]?.ratio}`;
    console.log(`  ${what}: ${each.map((e) => e.text).join(', ')} vs bare ${bare.toFixed(digits)} ${unit}, ${ratios}${note}`);
  };
  const n = info.devices;
  const rounds = info.rounds > 1 ? `, medians of ${info.rounds} rounds` : '';
  console.log(
    `fleet: ${n} emulated modules (in-process AT host${sides.client?.length ? '; again with src/client\'s AtClient' : ''}) vs ${n} bare MQTT.js clients, each side in its own process, ` +
      `QoS 1 64-byte publishes every ${info.intervalS} s for ${info.windowS} s, ${info.broker} on 127.0.0.1, ` +
      `${info.concurrency} sessions set up at once, open files: ${info.fileLimits.bench} per side, ${info.fileLimits.broker} broker, ${info.cpus} CPUs, load average ${info.load[0].toFixed(1)} → ${info.load[1].toFixed(1)}${rounds}`,
  );
  for (const mode of ['fleet', 'client', 'bare'] as const) {
    for (const r of sides[mode] ?? []) {
      const errors = r.failed ? `, ${r.failed} failed (${r.firstError})` : '';
      console.log(
        `  ${NAMES[mode]}: ${r.connected}/${r.devices} sessions up${errors}; published ${r.published}, acked ${r.acked}, delivered ${r.delivered}, ` +
          `publish errors ${r.publishErrors}, sessions dropped ${r.drops}`,
      );
    }
  }
  const peak = Math.max(...measured.map((s) => of(sides[s]!, (r) => r.peakRss)));
  const goal = peak < TARGET_PEAK_RSS ? '' : '  ABOVE TARGET';
  line('peak RSS', (r) => r.peakRss / MB, 'MB', 1, ` (target: fleet < ${TARGET_PEAK_RSS / MB} MB)${goal}`);
  line('RSS with every session up (after a GC)', (r) => r.steadyRss / MB, 'MB');
  line('memory per device ((RSS up − RSS at start) / N)', (r) => (r.steadyRss - r.baseRss) / r.devices / 1024, 'KB');
  line('peak memory per device ((peak RSS − RSS at start) / N)', (r) => (r.peakRss - r.baseRss) / r.devices / 1024, 'KB');
  line('JS heap used with every session up', (r) => r.heapUsed / MB, 'MB');
  line('connect rate (boot, join, AT+QMTOPEN, AT+QMTCONN for the fleet)', (r) => r.connected / r.connectSeconds, 'sessions/s');
  line('CPU per session set up', (r) => (r.connectCpu / r.connected) * 1000, 'ms', 3);
  line(`CPU while publishing (${n} devices, one publish each per ${info.intervalS} s)`, (r) => (r.windowCpu / r.windowSeconds) * 100, '% of a core');
  line('broker CPU while publishing (should match)', (r) => (r.brokerWindowCpu / r.windowSeconds) * 100, '% of a core');
  line('event-loop delay while publishing, p99', (r) => r.loopDelayP99, 'ms', 2);
  line('event-loop delay while publishing, max', (r) => r.loopDelayMax, 'ms', 2);
  line('publish rate', (r) => r.published / r.windowSeconds, 'msg/s');
  for (const p of [50, 90, 99]) line(`publish → PUBACK at the host, p${p}`, (r) => percentile(r.ackMs, p) ?? NaN, 'ms', 2);
  line('publish → PUBACK at the host, max', (r) => percentile(r.ackMs, 100) ?? NaN, 'ms', 2);
  for (const p of [50, 90, 99]) line(`publish → delivery to a subscriber, p${p}`, (r) => percentile(r.deliveryMs, p) ?? NaN, 'ms', 2);
  line('publish → delivery to a subscriber, max', (r) => percentile(r.deliveryMs, 100) ?? NaN, 'ms', 2);
}
