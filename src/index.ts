/** The in-process API of fc41d-emulator. */
import type { Duplex } from 'node:stream';
import { Fc41dModule, type ModuleOptions } from './device/module.ts';
import { openDuplex } from './transport/in-process.ts';

export { DEFAULT_MAC } from './device/mac.ts';
export { Fc41dModule, type ModuleOptions, type ModuleEvents, type PowerState } from './device/module.ts';
export type { OutputInfo, OutputKind } from './at/engine.ts';
export type { HostPort, HostAttachment } from './transport/host-port.ts';
export { World, RANGE_LIMIT_DBM, type AccessPoint, type AccessPointPatch } from './world/world.ts';
export { parseWorld, type WorldConfig, type AccessPointInput } from './world/schema.ts';
export { DEFAULT_WORLD, defaultWorld } from './world/default-world.ts';
// The command groups: `module.service(wifi)` gives a module's Wi-Fi service (events `webcfg`,
// `webcfgError`; deliverAirkiss()), `module.service(system)` its system service (event `ota`).
export { FEATURES } from './features.ts';
export type { Feature, FeatureHost } from './feature/feature.ts';
export { system } from './system/feature.ts';
export { wifi } from './wifi/feature.ts';
export { tcpip } from './tcpip/feature.ts';
export { ssl } from './ssl/feature.ts';
export { mqtt } from './mqtt/feature.ts';
export { http } from './http/feature.ts';
export { ble } from './ble/feature.ts';

export interface InProcessModule {
  /** The module: state, typed events (`output`, `input`, `line`, `reject`, `power`), wake(). */
  module: Fc41dModule;
  /** The host's end of the UART: write AT commands, read responses and URCs. */
  stream: Duplex;
  /** Detach, power off, and leave the world. */
  close(): void;
}

/** Creates a module with the host already attached, so it powers up and says `ready`. */
export function createModule(opts: ModuleOptions = {}): InProcessModule {
  const module = new Fc41dModule(opts);
  const stream = openDuplex(module);
  return {
    module,
    stream,
    close: () => {
      stream.destroy();
      module.dispose();
    },
  };
}

// Faults (docs/control.md "Faults"): `world.faults.add({ kind: 'refuse', host: 'broker.fc41d.local' })`.
export { FaultSet, FaultSpecError } from './faults/faults.ts';
export { FAULT_KINDS, type Fault, type FaultSpec, type FaultSpecInput } from './faults/types.ts';
// The control plane and the process-wide trace, for programs that embed modules.
export { startControlServer, type ControlServer, type ControlServerOptions } from './control/server.ts';
export { TraceHub, type TraceRecord } from './trace-hub.ts';
// `fc41d test` as a library (docs/testing.md): scenarios, the host-driver checker, AT coverage, cassettes.
export { loadScenarios, ScenarioError, type LoadedScenario } from './scenario/load.ts';
export { runScenario, type RunOptions, type ScenarioResult, type StepFailure } from './scenario/run.ts';
export { DriverChecker, CHECK_RULES, formatViolation, type Violation, type RuleId } from './checker/index.ts';
export { CoverageRecorder, mergeCoverage, updateCoverageFile, coverageSummary, type CoverageReport } from './coverage/index.ts';
export { Cassette, type NetMode } from './replay/index.ts';
export { seededRandom, derivedRandom, type Random } from './random.ts';
