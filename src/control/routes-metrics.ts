/**
 * `GET /metrics`: Prometheus' text format. Always the modules up and the process's memory; a
 * fleet run (src/fleet/) registers its own figures against its world (`registerMetrics`), so
 * the same control server serves them without the context knowing about fleets.
 */
import type { World } from '../world/world.ts';
import type { ControlContext } from './context.ts';
import { route } from './route.ts';

const providers = new WeakMap<World, () => string>();

/** Serves `text()` at /metrics for the control servers over `world`; returns the unregistering function. */
export function registerMetrics(world: World, text: () => string): () => void {
  providers.set(world, text);
  return () => {
    if (providers.get(world) === text) providers.delete(world);
  };
}

export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function baseMetricsText(ctx: ControlContext): string {
  const mem = process.memoryUsage();
  const up = ctx.modules.filter((m) => m.state === 'on').length;
  return [
    '# HELP fc41d_modules Modules this process runs.',
    '# TYPE fc41d_modules gauge',
    `fc41d_modules ${ctx.modules.length}`,
    '# HELP fc41d_modules_up Modules powered on and running.',
    '# TYPE fc41d_modules_up gauge',
    `fc41d_modules_up ${up}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${mem.rss}`,
    '# HELP process_heap_used_bytes V8 heap in use, bytes.',
    '# TYPE process_heap_used_bytes gauge',
    `process_heap_used_bytes ${mem.heapUsed}`,
    '# HELP process_cpu_seconds_total User and system CPU time, seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(() => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    })()}`,
    '',
  ].join('\n');
}

export const metricsRoutes = [
  route({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus text format: modules up, memory, and a fleet run\'s figures (docs/fleet.md)',
    status: 200,
    produces: PROMETHEUS_TYPE,
    handle: (ctx) => ({ status: 200, type: PROMETHEUS_TYPE, text: baseMetricsText(ctx) + (providers.get(ctx.world)?.() ?? '') }),
  }),
];
