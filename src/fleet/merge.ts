/**
 * `fc41d fleet merge FILE…`: the shards' results summed into one, and every identity checked
 * once across all of them — a client id, MAC, BLE address or serial given out twice (two shards
 * told the same index, a wrong FC41D_SHARD_COUNT) is a failure naming both files.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Quantiles, quantilesOf } from './metrics.ts';
import { type FleetResults, ResultsSchema } from './results.ts';

export interface Duplicate {
  field: 'clientId' | 'mac' | 'bleAddress' | 'serial';
  value: string;
  files: [string, string];
}

export interface MergedResults {
  format: 'fc41d-fleet-merged/1';
  files: string[];
  shards: number;
  devicesTotal: number;
  figures: {
    devices: number;
    modulesUp: number;
    joined: number;
    mqttConnected: number;
    peakMqttConnected: number;
    publishes: number;
    errors: number;
    reconnects: number;
    /** The slowest shard's time to all connected; null when one never got there. */
    allConnectedMs: number | null;
    peakRssBytesMax: number;
    peakRssBytesSum: number;
    distinctClientIds: number;
  };
  reconnectMs: Quantiles;
  connectMs: Quantiles;
  duplicates: Duplicate[];
  /** Global indices in [0, devicesTotal) no shard ran. */
  missing: number;
}

/** Reads and validates one results file; throws a one-line message naming the file. */
export function readResults(path: string): FleetResults {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const parsed = ResultsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: not a fleet results file: ${z.prettifyError(parsed.error).split('\n').slice(0, 2).join(' ')}`);
  return parsed.data;
}

export function mergeResults(files: { path: string; results: FleetResults }[]): MergedResults {
  const seen = { clientId: new Map<string, string>(), mac: new Map<string, string>(), bleAddress: new Map<string, string>(), serial: new Map<string, string>() };
  const duplicates: Duplicate[] = [];
  const indices = new Set<number>();
  const sum = (f: (r: FleetResults) => number) => files.reduce((n, { results }) => n + f(results), 0);
  for (const { path, results } of files) {
    for (const id of results.identities) {
      indices.add(id.index);
      for (const field of ['clientId', 'mac', 'bleAddress', 'serial'] as const) {
        const value = id[field].toLowerCase();
        const other = seen[field].get(value);
        if (other !== undefined) duplicates.push({ field, value: id[field], files: [other, path] });
        else seen[field].set(value, path);
      }
    }
  }
  const all = (name: string) => files.flatMap(({ results }) => results.observations[name] ?? []);
  const total = Math.max(0, ...files.map(({ results }) => results.devicesTotal));
  let missing = 0;
  for (let i = 0; i < total; i++) if (!indices.has(i)) missing++;
  const times = files.map(({ results }) => results.figures.allConnectedMs);
  return {
    format: 'fc41d-fleet-merged/1',
    files: files.map((f) => f.path),
    shards: files.length,
    devicesTotal: total,
    figures: {
      devices: sum((r) => r.figures.devices),
      modulesUp: sum((r) => r.figures.modulesUp),
      joined: sum((r) => r.figures.joined),
      mqttConnected: sum((r) => r.figures.mqttConnected),
      peakMqttConnected: sum((r) => r.figures.peakMqttConnected),
      publishes: sum((r) => r.figures.publishes),
      errors: sum((r) => r.figures.errors),
      reconnects: sum((r) => r.figures.reconnects),
      allConnectedMs: times.some((t) => t === null) || times.length === 0 ? null : Math.max(...(times as number[])),
      peakRssBytesMax: Math.max(0, ...files.map(({ results }) => results.figures.peakRssBytes)),
      peakRssBytesSum: sum((r) => r.figures.peakRssBytes),
      distinctClientIds: seen.clientId.size,
    },
    reconnectMs: quantilesOf(all('reconnect_ms')),
    connectMs: quantilesOf(all('connect_ms')),
    duplicates,
    missing,
  };
}
