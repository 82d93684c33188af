/**
 * The modules one `fc41d serve` runs: N modules in one shared World, module i labelled
 * `module i`, with its own MAC (src/device/mac.ts), flash file and provisioning-page port,
 * all traced into one file. Transports are serve.ts's business.
 */
import { moduleMac } from '../device/mac.ts';
import { Fc41dModule } from '../device/module.ts';
import { openTrace, type TraceFile } from '../trace.ts';
import { defaultWorld } from '../world/default-world.ts';
import { World } from '../world/world.ts';
import { loadWorldConfig, UsageError } from './options.ts';

export const MAX_MODULES = 16;

export interface ModuleSetOptions {
  /** How many modules, 1–16. */
  count: number;
  /** Flash file: itself for one module, `PATH-i` for module i of several. */
  flash?: string;
  /** World file; the embedded default world without it. */
  world?: string;
  /** One trace file for all modules. */
  trace?: string;
  pace?: boolean;
  /** Base port of the provisioning pages: module i gets PORT+i; 0 = any free port. */
  webcfgPort?: number;
}

export interface ModuleSet {
  world: World;
  /** The world file's path, or `(embedded default)`. */
  worldSource: string;
  modules: Fc41dModule[];
  /** Powers the modules off and flushes the trace. */
  close(): Promise<void>;
}

/** A per-module file path: PATH itself for a single module, `PATH-i` for module i of several. */
export function perModulePath(path: string, index: number, count: number): string {
  return count === 1 ? path : `${path}-${index}`;
}

/** A per-module port: module i gets BASE+i; 0 stays 0 (each gets its own free port). */
export function perModulePort(base: number, index: number): number {
  return base === 0 ? 0 : base + index;
}

/** Builds the world and the modules (all off until a transport attaches). Failures are UsageErrors. */
export function buildModules(opts: ModuleSetOptions): ModuleSet {
  const { count } = opts;
  const world = opts.world === undefined ? defaultWorld() : new World(loadWorldConfig(opts.world));
  const modules: Fc41dModule[] = [];
  let trace: TraceFile | null = null;
  const close = async () => {
    for (const module of modules) module.dispose();
    await trace?.close();
  };
  try {
    for (let i = 0; i < count; i++) {
      modules.push(
        new Fc41dModule({
          world,
          label: `module ${i}`,
          mac: moduleMac(i),
          flashPath: opts.flash === undefined ? undefined : perModulePath(opts.flash, i, count),
          webcfgPort: perModulePort(opts.webcfgPort ?? 0, i),
          paceOutput: opts.pace,
        }),
      );
    }
    if (opts.trace !== undefined) {
      trace = openTrace(opts.trace);
      for (const module of modules) trace.attach(module);
    }
  } catch (e) {
    void close();
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  return { world, worldSource: opts.world ?? '(embedded default)', modules, close };
}
