/**
 * The `--results FILE` of a fleet run (one per shard) and what `fc41d fleet merge` reads:
 * the run's figures, the raw reconnect and connect times (so merged percentiles are exact),
 * and every device's identity.
 */
import { z } from 'zod';
import type { DeviceIdentity } from './identity.ts';
import type { FleetRun } from './runner.ts';
import type { Shard } from './shard.ts';

export const RESULTS_FORMAT = 'fc41d-fleet-results/1';

const Identity = z.object({ index: z.number().int(), mac: z.string(), bleAddress: z.string(), clientId: z.string(), serial: z.string() });

export const ResultsSchema = z.object({
  format: z.literal(RESULTS_FORMAT),
  shard: z.object({ index: z.number().int(), count: z.number().int() }),
  devicesTotal: z.number().int(),
  range: z.object({ start: z.number().int(), end: z.number().int() }),
  startedAt: z.string(),
  durationS: z.number(),
  figures: z.object({
    devices: z.number(),
    modulesUp: z.number(),
    joined: z.number(),
    mqttConnected: z.number(),
    peakJoined: z.number(),
    peakMqttConnected: z.number(),
    publishes: z.number(),
    errors: z.number(),
    reconnects: z.number(),
    allConnectedMs: z.number().nullable(),
    peakRssBytes: z.number(),
    /** Everything the programs counted, by name (the figures above included). */
    counters: z.record(z.string(), z.number()),
  }),
  /** Raw observations in ms, by name (reconnect_ms, connect_ms, publish_ms: the last capped). */
  observations: z.record(z.string(), z.array(z.number())),
  identities: z.array(Identity),
});

export type FleetResults = z.infer<typeof ResultsSchema>;

/** publish_ms can be millions of values; a sample is enough for its percentiles. */
const MAX_KEPT = 100_000;

export function resultsOf(run: FleetRun, meta: { shard: Shard; devicesTotal: number; endedAt: number }): FleetResults {
  const s = run.final();
  const m = run.metrics;
  const counters = run.finalCounters();
  const observations = Object.fromEntries(m.observedNames().map((n) => [n, thin(m.observed(n))]));
  const ids: DeviceIdentity[] = run.identities;
  return {
    format: RESULTS_FORMAT,
    shard: meta.shard,
    devicesTotal: meta.devicesTotal,
    range: { start: ids[0]?.index ?? 0, end: (ids.at(-1)?.index ?? -1) + 1 },
    startedAt: new Date(run.startedAt).toISOString(),
    durationS: (meta.endedAt - run.startedAt) / 1000,
    figures: {
      devices: s.devices,
      modulesUp: s.modulesUp,
      joined: s.joined,
      mqttConnected: s.mqttConnected,
      peakJoined: m.peak('joined'),
      peakMqttConnected: m.peak('mqtt_connected'),
      publishes: s.publishes,
      errors: s.errors,
      reconnects: s.reconnects,
      allConnectedMs: run.allConnectedMs() ?? null,
      peakRssBytes: m.peakRssBytes(),
      counters,
    },
    observations,
    identities: ids,
  };
}

/** Every k-th value of a sorted list, when it is longer than MAX_KEPT (percentiles survive). */
function thin(sorted: number[]): number[] {
  if (sorted.length <= MAX_KEPT) return sorted;
  const step = sorted.length / MAX_KEPT;
  return Array.from({ length: MAX_KEPT }, (_, i) => sorted[Math.floor(i * step)]!);
}
