/** Scenario tests' scaffolding: scenario files written to a temporary folder, removed after each test. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import { type LoadedScenario, loadScenarios } from '../../src/scenario/load.ts';
import { runScenario, type RunOptions, type ScenarioResult } from '../../src/scenario/run.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-scenario-test-'));
  dirs.push(dir);
  return dir;
}

/** Writes `files` (name → text) into a fresh folder; returns its path. */
export function writeFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The scenarios of one YAML text, written as `scenario.yaml` (with `extra` files beside it). */
export function scenarios(yaml: string, extra: Record<string, string> = {}): LoadedScenario[] {
  const dir = writeFiles({ 'scenario.yaml': yaml, ...extra });
  return loadScenarios([join(dir, 'scenario.yaml')]);
}

/** Loads and runs the first scenario of `yaml`. */
export async function run(yaml: string, opts: RunOptions = {}, extra: Record<string, string> = {}): Promise<ScenarioResult> {
  return runScenario(scenarios(yaml, extra)[0]!, opts);
}

/** Trace records of a result, parsed. */
export function traceRecords(result: ScenarioResult): Record<string, unknown>[] {
  return result.trace
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
