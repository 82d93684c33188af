/**
 * The fleet's figures in Prometheus' text format (version 0.0.4), for `GET /metrics` on the
 * control API (src/control/routes-metrics.ts). Counters end in `_total`; rates are averages over
 * the last RATE_WINDOW_S seconds, for people reading the page (Prometheus computes its own).
 */
import { RATE_WINDOW_S } from './metrics.ts';
import type { FleetRun } from './runner.ts';

const KNOWN = new Set(['joined', 'mqtt_connected', 'publishes', 'errors', 'reconnects']);

export function fleetMetricsText(run: FleetRun): string {
  const s = run.snapshot();
  const m = run.metrics;
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter' | 'summary', help: string, samples: [labels: string, value: number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  metric('fc41d_fleet_devices', 'gauge', 'Devices this process runs.', [['', s.devices]]);
  metric('fc41d_fleet_started', 'gauge', 'Devices started so far (the ramp).', [['', s.started]]);
  metric('fc41d_fleet_joined', 'gauge', 'Devices with a Wi-Fi address.', [['', s.joined]]);
  metric('fc41d_fleet_mqtt_connected', 'gauge', 'Devices with an MQTT session.', [['', s.mqttConnected]]);
  metric('fc41d_fleet_publishes_total', 'counter', 'QoS 1 publishes acknowledged.', [['', s.publishes]]);
  metric('fc41d_fleet_errors_total', 'counter', 'Failed steps of device programs.', [['', s.errors]]);
  metric('fc41d_fleet_reconnects_total', 'counter', 'MQTT sessions re-established after a loss.', [['', s.reconnects]]);
  metric('fc41d_fleet_publishes_per_second', 'gauge', `Publishes per second over the last ${RATE_WINDOW_S} s.`, [['', round(s.publishesPerS)]]);
  metric('fc41d_fleet_errors_per_second', 'gauge', `Errors per second over the last ${RATE_WINDOW_S} s.`, [['', round(s.errorsPerS)]]);
  for (const name of ['reconnect_ms', 'publish_ms', 'connect_ms']) {
    const q = m.quantiles(name);
    if (q.count === 0) continue;
    const base = `fc41d_fleet_${name.replace(/_ms$/, '')}_seconds`;
    metric(base, 'summary', `${name.replace(/_ms$/, '').replace('_', ' ')} time.`, [
      ['{quantile="0.5"}', (q.p50 ?? 0) / 1000],
      ['{quantile="0.9"}', (q.p90 ?? 0) / 1000],
      ['{quantile="0.99"}', (q.p99 ?? 0) / 1000],
    ]);
    out.push(`${base}_count ${q.count}`);
  }
  const custom = m.names().filter((n) => !KNOWN.has(n));
  if (custom.length > 0) {
    metric('fc41d_fleet_custom', 'gauge', "What device programs counted with ctx.metrics.inc, by name.", custom.map((n) => [`{name="${escapeLabel(n)}"}`, m.get(n)]));
  }
  metric('fc41d_fleet_peak_resident_memory_bytes', 'gauge', 'Peak resident memory of the process.', [['', m.peakRssBytes()]]);
  return `${out.join('\n')}\n`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
