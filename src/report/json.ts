/**
 * The `--json` summary of `fc41d test`: one JSON document on stdout with the run's settings,
 * its exit code, counts, and per scenario the outcome, the failure or error, the checker's
 * violations and where its transcript and trace were written (with --junit).
 */
import type { ScenarioResult, StepFailure } from '../scenario/run.ts';
import type { ScenarioArtifacts } from './artifacts.ts';
import { reportPath } from './junit.ts';

export interface JsonScenario {
  file: string;
  index: number;
  name: string;
  outcome: ScenarioResult['outcome'];
  elapsedMs: number;
  failure?: StepFailure;
  error?: string;
  violations: ScenarioResult['violations'];
  transcript?: string;
  trace?: string;
}

export interface JsonSummary {
  exitCode: number;
  seed: number;
  net: string;
  check: string;
  passed: number;
  failed: number;
  errors: number;
  violations: number;
  elapsedMs: number;
  junit?: string;
  coverage?: string;
  scenarios: JsonScenario[];
}

export interface JsonRun {
  cwd: string;
  exitCode: number;
  settings: { seed: number; net: string; check: string };
  results: { result: ScenarioResult; artifacts?: ScenarioArtifacts }[];
  elapsedMs: number;
  junit?: string;
  coverage?: string;
}

export function jsonSummary(run: JsonRun): JsonSummary {
  const count = (o: ScenarioResult['outcome']) => run.results.filter(({ result }) => result.outcome === o).length;
  const rel = (p: string | undefined) => (p === undefined ? undefined : reportPath(run.cwd, p));
  return {
    exitCode: run.exitCode,
    ...run.settings,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error'),
    violations: run.results.reduce((n, { result }) => n + result.violations.length, 0),
    elapsedMs: Math.round(run.elapsedMs),
    junit: rel(run.junit),
    coverage: rel(run.coverage),
    scenarios: run.results.map(({ result, artifacts }) => ({
      file: reportPath(run.cwd, result.file),
      index: result.index,
      name: result.name,
      outcome: result.outcome,
      elapsedMs: Math.round(result.elapsedMs),
      failure: result.failure,
      error: result.error,
      violations: result.violations,
      transcript: rel(artifacts?.transcript),
      trace: rel(artifacts?.trace),
    })),
  };
}
