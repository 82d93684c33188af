/**
 * What a fleet run prints: the progress line (a bar on a TTY, redrawn in place on stderr; a
 * plain line every 10 s otherwise, for logs such as a pod's) and the summary at the end, on
 * stdout, one `fc41d: fleet …` line per figure (tests and scripts parse them; keep them stable).
 */
import type { FleetRun, FleetSnapshot } from './runner.ts';
import { quantilesOf } from './metrics.ts';
import type { FleetResults } from './results.ts';
import type { MergedResults } from './merge.ts';

const MB = 1024 * 1024;

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `[####++++....]`: # devices with an MQTT session, + started without one, . not started yet. */
export function progressLine(s: FleetSnapshot, rssBytes: number, width = 24): string {
  const cells = (n: number) => (s.devices === 0 ? width : Math.max(0, Math.min(width, Math.round((n / s.devices) * width))));
  const connected = cells(s.mqttConnected);
  const started = Math.max(connected, cells(s.started));
  const bar = `[${'#'.repeat(connected)}${'+'.repeat(started - connected)}${'.'.repeat(width - started)}]`;
  return (
    `${bar} started ${s.started}/${s.devices} · up ${s.modulesUp} · joined ${s.joined} · MQTT ${s.mqttConnected} · ` +
    `pub ${s.publishes} (${s.publishesPerS.toFixed(1)}/s) · err ${s.errors} · RSS ${Math.round(rssBytes / MB)} MB`
  );
}

/** Redraws the progress line on a TTY every 500 ms; elsewhere prints it every 10 s. Returns stop(). */
export function startProgress(run: FleetRun, out: NodeJS.WriteStream = process.stderr): () => void {
  const tty = out.isTTY === true;
  const draw = () => {
    const line = progressLine(run.snapshot(), process.memoryUsage.rss());
    if (tty) out.write(`\r\x1b[K${line.slice(0, Math.max(20, (out.columns || 120) - 1))}`);
    else out.write(`fc41d: fleet ${line}\n`);
  };
  const timer = setInterval(draw, tty ? 500 : 10_000);
  return () => {
    clearInterval(timer);
    if (tty) out.write('\r\x1b[K');
  };
}

/** The summary of one run (from its results). */
export function summaryLines(r: FleetResults): string[] {
  const f = r.figures;
  const q = quantilesOf(r.observations.reconnect_ms ?? []);
  const perDevice = f.devices > 0 ? ` (≈ ${Math.round(f.peakRssBytes / f.devices / 1024)} KB per device)` : '';
  return [
    `devices ${f.devices} (indices ${r.range.start}–${r.range.end - 1} of ${r.devicesTotal}, shard ${r.shard.index}/${r.shard.count})`,
    `modules up ${f.modulesUp}`,
    `joined ${f.joined} (peak ${f.peakJoined})`,
    `MQTT connected ${f.mqttConnected} (peak ${f.peakMqttConnected})${f.allConnectedMs === null ? '' : `, all connected after ${formatMs(f.allConnectedMs)}`}`,
    `publishes ${f.publishes}, errors ${f.errors}`,
    `reconnects ${f.reconnects}, reconnect time p50 ${formatMs(q.p50)} p90 ${formatMs(q.p90)} p99 ${formatMs(q.p99)}`,
    `peak RSS ${Math.round(f.peakRssBytes / MB)} MB${perDevice}`,
    `duration ${r.durationS.toFixed(1)} s`,
  ];
}

export function mergedSummaryLines(m: MergedResults): string[] {
  const f = m.figures;
  const lines = [
    `merged ${m.shards} shard${m.shards === 1 ? '' : 's'}: devices ${f.devices} of ${m.devicesTotal}, distinct client ids ${f.distinctClientIds}`,
    `joined ${f.joined}, MQTT connected ${f.mqttConnected} (peak ${f.peakMqttConnected})${f.allConnectedMs === null ? '' : `, all connected after ${formatMs(f.allConnectedMs)}`}`,
    `publishes ${f.publishes}, errors ${f.errors}`,
    `reconnects ${f.reconnects}, reconnect time p50 ${formatMs(m.reconnectMs.p50)} p90 ${formatMs(m.reconnectMs.p90)} p99 ${formatMs(m.reconnectMs.p99)}`,
    `peak RSS ${Math.round(f.peakRssBytesMax / MB)} MB per shard at most, ${Math.round(f.peakRssBytesSum / MB)} MB in all`,
  ];
  if (m.missing > 0) lines.push(`${m.missing} of ${m.devicesTotal} indices ran in no shard`);
  for (const d of m.duplicates.slice(0, 20)) lines.push(`duplicate ${d.field} ${d.value} in ${d.files[0]} and ${d.files[1]}`);
  if (m.duplicates.length > 20) lines.push(`… ${m.duplicates.length - 20} more duplicates`);
  return lines;
}
