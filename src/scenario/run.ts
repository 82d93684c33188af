/**
 * `runScenario`: one scenario from start to end. Rig.start brings up the world, services,
 * modules, transports and the rest (rig.ts); then the host is spawned (or awaited), the steps run
 * in order, each within its timeout and all within the scenario's, and everything is closed again,
 * even after a failure. It never throws: what went wrong is in the result.
 *   passed  every step held
 *   failed  an expectation did not hold, or the scenario's limit ran out (exit 1)
 *   error   infrastructure: the host crashed, a port was busy, a cassette lacked a connection (exit 3)
 */
import { dirname, resolve } from 'node:path';
import type { Violation } from '../checker/index.ts';
import type { CoverageRecorder } from '../coverage/index.ts';
import type { NetMode } from '../replay/index.ts';
import { loadWorldConfig } from '../cli/options.ts';
import { DEFAULT_WORLD } from '../world/default-world.ts';
import { parseWorld, type WorldConfig } from '../world/schema.ts';
import { describeExpectation } from './backend.ts';
import { ScenarioAbort, StepError, StepFailed } from './context.ts';
import { describeExit } from './host-process.ts';
import type { LoadedScenario } from './load.ts';
import { Rig } from './rig.ts';
import { type Scenario, type Step, stepLabel } from './schema.ts';
import { runStep } from './steps.ts';
import { onPower } from './steps-act.ts';
import { waitFor } from './wait.ts';

export type { NetMode };

export interface RunOptions {
  /** Every random choice of the run (ports, BSSIDs, jitter, …); default 1. */
  seed?: number;
  /** default 'live' */
  net?: NetMode;
  /** default: the scenario file without .yaml, plus `.cassette.json` (`.<index>.cassette.json` for later documents) */
  cassettePath?: string;
  /** default 'off' */
  check?: 'off' | 'warn' | 'strict';
  coverage?: CoverageRecorder;
  /** Progress and diagnostics (where modules listen, the host's command line, module faults). */
  log?: (line: string) => void;
}

export interface StepFailure {
  stepIndex: number;
  /** e.g. `steps[3] expect-output` */
  step: string;
  /** What was expected, as written. */
  pattern: string;
  /** How long the step ran before it failed. */
  elapsedMs: number;
  message: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  index: number;
  outcome: 'passed' | 'failed' | 'error';
  failure?: StepFailure;
  error?: string;
  elapsedMs: number;
  /** The raw bytes each module sent its host (module i at [i]). */
  outputs: Buffer[];
  /** `> ` host→module and `< ` module→host lines, interleaved, escaped, no timestamps. */
  transcript: string;
  /** The run's trace records (TraceHub), JSON lines. */
  trace: string;
  violations: Violation[];
  /** The spawned host's stdout and stderr. */
  hostLog: string;
}

/** `dir/x.yaml` → `dir/x.cassette.json`; the second document of the file → `dir/x.1.cassette.json`. */
export function defaultCassettePath(file: string, index: number): string {
  const stem = file.replace(/\.ya?ml$/i, '');
  return `${stem}${index > 0 ? `.${index}` : ''}.cassette.json`;
}

/** A scenario's result before anything has run (nothing recorded yet). */
export function blankResult(loaded: LoadedScenario, outcome: ScenarioResult['outcome']): ScenarioResult {
  return {
    name: loaded.scenario.name,
    file: loaded.file,
    index: loaded.index,
    outcome,
    elapsedMs: 0,
    outputs: [],
    transcript: '',
    trace: '',
    violations: [],
    hostLog: '',
  };
}

export async function runScenario(loaded: LoadedScenario, opts: RunOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const { scenario } = loaded;
  const log = opts.log ?? (() => {});
  const result = blankResult(loaded, 'passed');
  const fail = (message: string) => {
    result.outcome = 'error';
    result.error = result.error === undefined ? message : `${result.error}; ${message}`;
  };
  let rig: Rig | null = null;
  try {
    rig = await Rig.start(scenario, loaded.world ?? worldOf(loaded), {
      seed: opts.seed ?? 1,
      net: opts.net ?? 'live',
      cassettePath: opts.cassettePath ?? defaultCassettePath(loaded.file, loaded.index),
      check: opts.check ?? 'off',
      coverage: opts.coverage,
      log,
      cwd: dirname(resolve(loaded.file)),
    });
    await drive(rig, scenario, result, log);
  } catch (e) {
    fail(describe(e));
  }
  if (rig) {
    try {
      const record = await rig.close();
      Object.assign(result, { outputs: record.outputs, transcript: record.transcript, trace: record.trace, violations: record.violations, hostLog: record.hostLog });
      for (const problem of record.problems) fail(problem);
    } catch (e) {
      fail(`closing: ${describe(e)}`);
    }
    // A replay that met a connection its cassette lacks fails loudly, whatever the steps said.
    for (const miss of rig.replayMisses) fail(miss.startsWith('replay') ? miss : `replay: ${miss}`);
  }
  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}

/** The world of a LoadedScenario made without one (loadScenarios always sets it). */
function worldOf(loaded: LoadedScenario): WorldConfig {
  const world = loaded.scenario.world;
  if (world === undefined) return parseWorld(DEFAULT_WORLD, 'default world');
  if (typeof world === 'string') return loadWorldConfig(resolve(dirname(loaded.file), world));
  return parseWorld(world, 'world');
}

/** The host, then the steps, within the scenario's limit; fills in the outcome. */
async function drive(rig: Rig, scenario: Scenario, result: ScenarioResult, log: (line: string) => void): Promise<void> {
  const controller = new AbortController();
  const { signal } = controller;
  const limit = setTimeout(
    () => controller.abort(new ScenarioAbort('failed', `the scenario's limit of ${scenario.timeout} ms ran out`)),
    scenario.timeout,
  );
  let current = 0;
  let finished = false;
  try {
    const host = rig.spawnHost();
    void host?.exited.then((exit) => {
      if (finished || exit.code === 0) return;
      // A host may end with an error the scenario expects (a later expect-exit with that code).
      const expected = scenario.steps.slice(current).some((s) => 'expect-exit' in s && s['expect-exit'] === exit.code);
      if (expected) return;
      const at = current < scenario.steps.length ? ` (at ${stepLabel(current, scenario.steps[current]!)})` : '';
      controller.abort(new ScenarioAbort('error', `the host ${describeExit(exit)} while steps remained${at}`));
    });
    const ctx = rig.context(signal);
    try {
      await ready(rig, scenario, signal, log);
    } catch (e) {
      return void record(result, e, -1, scenario, 0);
    }
    for (current = 0; current < scenario.steps.length; current++) {
      const step = scenario.steps[current]!;
      const label = stepLabel(current, step);
      const stepStart = performance.now();
      rig.trace.write({ dir: 'info', scenario: { step: label, ...(step.name === undefined ? {} : { name: step.name }), event: 'start' } });
      try {
        await runStep(ctx, step);
      } catch (e) {
        const elapsedMs = Math.round(performance.now() - stepStart);
        record(result, e, current, scenario, elapsedMs);
        rig.trace.write({ dir: 'info', scenario: { step: label, event: result.outcome, message: result.failure?.message ?? result.error } });
        return;
      }
      rig.trace.write({ dir: 'info', scenario: { step: label, event: 'passed' } });
    }
  } finally {
    finished = true;
    clearTimeout(limit);
  }
}

/** Before the first step: an `attach: true` host has connected; modules no host drives run. */
async function ready(rig: Rig, scenario: Scenario, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  if (scenario.host?.attach) {
    log(`waiting for a host on tcp ${rig.tcpAddress}`);
    const m0 = rig.modules[0]!;
    await waitFor(() => (m0.state !== 'off' ? true : null), [onPower(m0)], scenario.timeout, signal);
  }
  for (const i of rig.internallyAttached) {
    const module = rig.modules[i]!;
    await waitFor(() => (module.state === 'on' ? true : null), [onPower(module)], scenario.timeout, signal);
  }
}

/** Puts what ended a step (or the start, at index -1) into the result. */
function record(result: ScenarioResult, e: unknown, index: number, scenario: Scenario, elapsedMs: number): void {
  const step = index >= 0 ? scenario.steps[index]! : undefined;
  const label = step ? stepLabel(index, step) : 'start';
  if (e instanceof StepFailed || (e instanceof ScenarioAbort && e.outcome === 'failed')) {
    result.outcome = 'failed';
    const pattern = e instanceof StepFailed ? e.pattern : step ? stepPattern(step) : '';
    result.failure = { stepIndex: index, step: label, pattern, elapsedMs, message: e.message };
    return;
  }
  result.outcome = 'error';
  result.error = e instanceof StepError || e instanceof ScenarioAbort ? `${label}: ${e.message}` : `${label}: ${describe(e)}`;
}

/** What a step waits for, as written (for a failure that is not the step's own). */
function stepPattern(step: Step): string {
  if ('expect-command' in step) return step['expect-command'];
  if ('expect-output' in step) return step['expect-output'];
  if ('expect-no-command' in step) return step['expect-no-command'].pattern;
  if ('expect-no-output' in step) return step['expect-no-output'].pattern;
  if ('expect-backend' in step) return describeExpectation(step['expect-backend']);
  if ('expect-exit' in step) return String(step['expect-exit']);
  return '';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
