/**
 * Every scenario in examples/scenarios/ passes, with the driver checker strict: the examples are
 * the manual's chapter-4 flows with small Python hosts, and docs/ci-workflow.md runs exactly this.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cli, cleanUp } from '../helpers/cli.ts';

afterEach(cleanUp);
// Paths below (and in the reports) are relative to the repository's root.
process.chdir(fileURLToPath(new URL('../..', import.meta.url)));

test('fc41d test examples/scenarios --check strict: every example passes', { timeout: 120_000 }, async () => {
  const files = readdirSync('examples/scenarios').filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5, `${files.length} examples`);
  const cli = new Cli(['test', 'examples/scenarios', '--check', 'strict', '--json']);
  const { code } = await cli.exited;
  const summary = JSON.parse(cli.stdout);
  const notPassed = summary.scenarios.filter((s: any) => s.outcome !== 'passed' || s.violations.length > 0);
  assert.deepEqual(notPassed, [], cli.stderr);
  assert.equal(code, 0, cli.stderr);
  assert.equal(summary.passed, files.length);
  assert.deepEqual(summary.scenarios.map((s: any) => s.file).sort(), files.map((f) => `examples/scenarios/${f}`).sort());
});
