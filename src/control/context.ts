/** What the control API works on: one process's modules, their world and its trace. */
import type { Fc41dModule } from '../device/module.ts';
import type { TraceHub } from '../trace-hub.ts';
import type { World } from '../world/world.ts';
import { notFound } from './api-error.ts';

export interface ControlContext {
  /** Module i is `modules[i]`, labelled `module i`. */
  modules: readonly Fc41dModule[];
  world: World;
  trace: TraceHub;
}

/** `{i}` of a path, or a `module` field: an index of a module this process runs. */
export function moduleAt(ctx: ControlContext, index: string | number): { module: Fc41dModule; index: number } {
  const i = typeof index === 'number' ? index : /^\d{1,7}$/.test(index) ? Number(index) : NaN;
  const module = Number.isInteger(i) ? ctx.modules[i] : undefined;
  if (!module) throw notFound(`module ${String(index)}`);
  return { module, index: i };
}

/** The index of the module with this label (faults hold labels), or undefined. */
export function indexOfLabel(ctx: ControlContext, label: string | undefined): number | undefined {
  if (label === undefined) return undefined;
  const i = ctx.modules.findIndex((m) => m.label === label);
  return i < 0 ? undefined : i;
}

/** Traces a change made through the API: `{"dir":"info","world":{…}}`, a world record. */
export function noteWorld(ctx: ControlContext, change: Record<string, unknown>): void {
  ctx.trace.write({ dir: 'info', world: change });
}
