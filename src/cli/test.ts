/**
 * `fc41d test <files|dirs...>`: loads every scenario first (an invalid one stops the run with
 * exit 2 before anything starts), runs them one after another, prints a progress line each,
 * and writes the reports asked for (JUnit with transcripts and traces beside it, a JSON summary
 * on stdout, merged AT coverage).
 *
 * Exit codes (docs/testing.md): 0 all passed; 1 an expectation failed; 2 invalid scenario;
 * 3 infrastructure error; 4 checker violations under --check strict. The worst wins:
 * 3 > 1 > 4 > 0.
 */
import { dirname, resolve } from 'node:path';
import { formatViolation } from '../checker/index.ts';
import { CoverageRecorder, coverageSummary, updateCoverageFile } from '../coverage/index.ts';
import { ArtifactNamer, type ScenarioArtifacts, writeArtifacts } from '../report/artifacts.ts';
import { jsonSummary } from '../report/json.ts';
import { type JunitCase, reportPath, writeJunit } from '../report/junit.ts';
import { failedByChecker, Progress } from '../report/progress.ts';
import { type LoadedScenario, loadScenarios, ScenarioError } from '../scenario/load.ts';
import { blankResult, type NetMode, runScenario, type ScenarioResult } from '../scenario/run.ts';

export const EXIT = { passed: 0, failed: 1, invalid: 2, infrastructure: 3, violations: 4 } as const;

export interface TestOptions {
  junit?: string;
  json?: boolean;
  seed?: number;
  net?: NetMode;
  check?: 'warn' | 'strict';
  coverage?: string;
}

/** Severity order of the exit codes: 3 > 1 > 4 > 0. */
const RANK: Record<number, number> = { 0: 0, 4: 1, 1: 2, 3: 3 };

/** The exit code one scenario asks for. */
export function scenarioExitCode(result: ScenarioResult, check: TestOptions['check']): number {
  if (result.outcome === 'error') return EXIT.infrastructure;
  if (result.outcome === 'failed') return EXIT.failed;
  return check === 'strict' && result.violations.length > 0 ? EXIT.violations : EXIT.passed;
}

/** The worst of several exit codes. */
export function worstExitCode(codes: number[]): number {
  return codes.reduce((worst, c) => ((RANK[c] ?? 3) > (RANK[worst] ?? 3) ? c : worst), EXIT.passed);
}

/** A result for a scenario whose run threw instead of reporting (a bug, or the machine): exit 3. */
function crashed(loaded: LoadedScenario, error: unknown, elapsedMs: number): ScenarioResult {
  return { ...blankResult(loaded, 'error'), error: `the run failed: ${error instanceof Error ? error.message : String(error)}`, elapsedMs };
}

/**
 * "3 passed, 1 failed, 0 errors" (and the checker's count under --check). Under --check strict a
 * scenario whose steps passed but whose host broke a rule counts as failed, as in the JUnit.
 */
export function tally(results: ScenarioResult[], check: 'off' | 'warn' | 'strict'): string {
  const checkerFailed = (r: ScenarioResult) => failedByChecker(r, check === 'strict');
  const passed = results.filter((r) => r.outcome === 'passed' && !checkerFailed(r)).length;
  const failed = results.filter((r) => r.outcome === 'failed' || checkerFailed(r)).length;
  const errors = results.filter((r) => r.outcome === 'error').length;
  let text = `${passed} passed, ${failed} failed, ${errors} errors`;
  if (check !== 'off') {
    const n = results.reduce((sum, r) => sum + r.violations.length, 0);
    text += `; checker: ${n} violation${n === 1 ? '' : 's'}`;
  }
  return text;
}

/** Runs the command; resolves with the exit code. Never throws for bad input. */
export async function runTest(paths: string[], opts: TestOptions, cwd = process.cwd()): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);

  let scenarios: LoadedScenario[];
  try {
    scenarios = loadScenarios(paths.map((p) => resolve(cwd, p)));
  } catch (e) {
    if (!(e instanceof ScenarioError)) {
      say(`fc41d: cannot load the scenarios: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.invalid;
    }
    const where = `${reportPath(cwd, e.file)}${e.line === undefined ? '' : `:${e.line}`}`;
    say(`fc41d: ${where}: ${e.field === '' ? '' : `${e.field}: `}${e.detail}`);
    return EXIT.invalid;
  }
  if (scenarios.length === 0) {
    say(`fc41d: no scenario files (*.yaml, *.yml) in ${paths.join(', ')}`);
    return EXIT.invalid;
  }

  const seed = opts.seed ?? 1;
  const net = opts.net ?? 'live';
  const check = opts.check ?? 'off';
  const coverageFile = opts.coverage !== undefined ? resolve(cwd, opts.coverage) : undefined;
  const coverage = coverageFile !== undefined ? new CoverageRecorder() : undefined;
  const junitPath = opts.junit !== undefined ? resolve(cwd, opts.junit) : undefined;
  const namer = junitPath ? new ArtifactNamer(dirname(junitPath)) : undefined;
  const progress = new Progress(process.stderr);
  const started = Date.now();
  const done: { result: ScenarioResult; artifacts?: ScenarioArtifacts; violations: string[] }[] = [];
  let reportFailure = false;

  for (const loaded of scenarios) {
    const label = `${reportPath(cwd, loaded.file)}${loaded.index > 0 ? `#${loaded.index}` : ''} › ${loaded.scenario.name}`;
    progress.start(label);
    const t0 = Date.now();
    let result: ScenarioResult;
    try {
      result = await runScenario(loaded, { seed, net, check, coverage, log: (line) => progress.log(`  ${line}`) });
    } catch (e) {
      result = crashed(loaded, e, Date.now() - t0);
    }
    const violations = result.violations.map(formatViolation);
    progress.finish(label, result, violations, check === 'strict');
    let artifacts: ScenarioArtifacts | undefined;
    if (namer) {
      artifacts = namer.pathsFor(loaded.file, loaded.index);
      try {
        writeArtifacts(artifacts, result);
      } catch (e) {
        say(`fc41d: cannot write ${reportPath(cwd, artifacts.transcript)}: ${(e as Error).message}`);
        reportFailure = true;
      }
    }
    done.push({ result, artifacts, violations });
  }

  let exitCode = worstExitCode(done.map(({ result }) => scenarioExitCode(result, opts.check)));

  if (junitPath) {
    const cases: JunitCase[] = done.map((d) => ({ ...d, violationsFail: check === 'strict' }));
    try {
      writeJunit(junitPath, { cwd, cases, properties: { seed: String(seed), net, check } });
    } catch (e) {
      say(`fc41d: cannot write ${reportPath(cwd, junitPath)}: ${(e as Error).message}`);
      reportFailure = true;
    }
  }
  if (coverage && coverageFile !== undefined) {
    try {
      say(coverageSummary(updateCoverageFile(coverageFile, coverage.report())).replace(/\n$/, ''));
    } catch (e) {
      say(`fc41d: coverage ${reportPath(cwd, coverageFile)}: ${(e as Error).message}`);
      reportFailure = true;
    }
  }
  if (reportFailure) exitCode = worstExitCode([exitCode, EXIT.infrastructure]);

  say(`fc41d: ${tally(done.map((d) => d.result), check)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  if (opts.json) {
    const summary = jsonSummary({
      cwd,
      exitCode,
      settings: { seed, net, check },
      results: done,
      elapsedMs: Date.now() - started,
      junit: junitPath,
      coverage: coverageFile,
    });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  }
  return exitCode;
}
