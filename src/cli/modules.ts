/**
 * The modules one `fc41d serve` runs: N modules in one shared World, module i labelled
 * `module i`, with its own MAC (src/device/mac.ts), flash file and provisioning-page port,
 * all traced into one file. Transports are serve.ts's business.
 */
import { moduleMac } from '../device/mac.ts';
import { Fc41dModule } from '../device/module.ts';
import { type Trace, writeTraceFile } from '../trace.ts';
import { TRACE_STORE_RECORDS, TraceHub } from '../trace-hub.ts';
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
  /** Keep the last records in memory for the control API (GET /api/trace, /api/live). */
  keepTrace?: boolean;
  pace?: boolean;
  /** Base port of the provisioning pages: module i gets PORT+i; 0 = any free port. */
  webcfgPort?: number;
  /** Wi-Fi configuration over BLE: service, write and notify UUIDs (default ff00, ff01, ff02). */
  bleConfigUuids?: { service: string; write: string; notify: string };
  /**
   * The echo setting saved in each module's flash at start (§2.1.3), as if AT+QECHO=<0|1> had
   * been saved: a fresh flash starts with it, an existing one is changed to it. Without it a
   * fresh flash has the factory default (on) and an existing one keeps its own.
   */
  echo?: boolean;
}

export interface ModuleSet {
  world: World;
  /** The world file's path, or `(embedded default)`. */
  worldSource: string;
  modules: Fc41dModule[];
  /** The process's trace (src/trace-hub.ts): records only with --trace or the control API. */
  trace: TraceHub;
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
  const hub = new TraceHub(opts.keepTrace ? TRACE_STORE_RECORDS : 0);
  let file: Trace | null = null;
  const close = async () => {
    for (const module of modules) module.dispose();
    world.dispose(); // virtual BLE peers' timers (and faults: their `stopped` is traced)
    hub.close();
    await file?.close();
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
          bleConfigUuids: opts.bleConfigUuids,
          paceOutput: opts.pace,
        }),
      );
    }
    if (opts.echo !== undefined) {
      const echo = opts.echo;
      // Saved, as AT+QECHO would save it. Modules are off until a host attaches, and boot
      // loads the system settings from flash.
      for (const module of modules) module.flash.update((f) => void (f.system.echo = echo));
    }
    if (opts.trace !== undefined) file = writeTraceFile(opts.trace, hub);
    if (opts.trace !== undefined || opts.keepTrace) {
      for (const module of modules) hub.attach(module);
      hub.attachWorld(world);
    }
  } catch (e) {
    void close();
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  return { world, worldSource: opts.world ?? '(embedded default)', modules, trace: hub, close };
}
