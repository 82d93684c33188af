/** What the step executors work on (made by rig.ts), and how a step ends other than by passing. */
import type { Fc41dModule } from '../device/module.ts';
import type { TraceHub } from '../trace-hub.ts';
import type { World } from '../world/world.ts';
import type { BackendLog, Observation } from './backend.ts';
import type { LineCursor, TextCursor } from './cursor.ts';
import type { HostProcess } from './host-process.ts';

export interface ModuleStreams {
  /** Command lines the module received (its `line` event). */
  commands: LineCursor;
  /** What the module sent its host (its `output` event), latin1. */
  output: TextCursor;
}

export interface StepContext {
  modules: readonly Fc41dModule[];
  streams: readonly ModuleStreams[];
  world: World;
  trace: TraceHub;
  backend: BackendLog;
  /** The backend log holds all it ever will (a replay's, from the cassette): no waiting. */
  backendFixed: boolean;
  /** Observations expect-backend steps took (a record run stores them in its cassette). */
  taken: Observation[];
  host: HostProcess | null;
  /** Fault names (`as:`) → the fault set's ids. */
  faults: Map<string, string>;
  /** Aborted when the scenario's limit runs out or the host crashes; its reason says which. */
  signal: AbortSignal;
}

/** An expectation did not hold (outcome 'failed', exit 1). */
export class StepFailed extends Error {
  constructor(
    /** The pattern (or value) that was expected, as written. */
    readonly pattern: string,
    message: string,
  ) {
    super(message);
  }
}

/** A step could not be carried out (an AP the world lacks, …): outcome 'error', exit 3. */
export class StepError extends Error {}

/** Why the scenario was aborted while a step ran. */
export class ScenarioAbort extends Error {
  constructor(
    readonly outcome: 'failed' | 'error',
    message: string,
  ) {
    super(message);
  }
}
