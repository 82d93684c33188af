/**
 * `fc41d test` exit codes beyond pass/fail, with the real command: a host that sends a command
 * before the previous final result is exit 4 under --check strict (the rule named), exit 0 under
 * --check warn (the violation printed); a host that crashes is exit 3; and with several
 * scenarios the worst wins (3 > 1 > 4 > 0).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'junit2json';
import { cleanUp, runTestCommand, tempDir } from '../helpers/cli.ts';

afterEach(cleanUp);
// Paths below (and in the reports) are relative to the repository's root.
process.chdir(fileURLToPath(new URL('../..', import.meta.url)));

const F = 'test/cli/fixtures';

const run = runTestCommand;

test('a command before the previous OK: exit 4 under --check strict, with the rule, in the JUnit too', async () => {
  const dir = tempDir('fc41d-test-');
  const junit = join(dir, 'junit.xml');
  const { code, stderr, stdout } = await run(`${F}/eager.yaml`, '--check', 'strict', '--junit', junit, '--json');
  assert.equal(code, 4, stderr);
  assert.match(stderr, /^FAIL test\/cli\/fixtures\/eager\.yaml › command before the previous final result: 1 host-driver checker violation \(/m);
  assert.match(stderr, /module 0 \+\d+ms command-before-final: AT\+QVERSION/);
  const doc = (await parse(readFileSync(junit, 'utf8'))) as any;
  const failure = doc.testsuite[0].testcase[0].failure[0];
  assert.equal(failure.type, 'checker');
  assert.match(failure.message, /command-before-final/);
  const summary = JSON.parse(stdout);
  assert.equal(summary.exitCode, 4);
  assert.equal(summary.scenarios[0].outcome, 'passed', 'its expectations held');
  assert.equal(summary.scenarios[0].violations[0].rule, 'command-before-final');
});

test('the same under --check warn: the violation printed, exit 0', async () => {
  const { code, stderr } = await run(`${F}/eager.yaml`, '--check', 'warn');
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^PASS test\/cli\/fixtures\/eager\.yaml › command before the previous final result \(\d+\.\d s\)\n {4}module 0 \+\d+ms command-before-final: AT\+QVERSION/m);
});

test('without --check nothing is checked: exit 0, no violation', async () => {
  const { code, stderr } = await run(`${F}/eager.yaml`);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /command-before-final/);
});

test('a host that crashes: exit 3, reported as an error', async () => {
  const { code, stderr } = await run(`${F}/crash.yaml`, '--json');
  assert.equal(code, 3, stderr);
  assert.match(stderr, /^ERROR test\/cli\/fixtures\/crash\.yaml › the host crashes: /m);
});

test('the worst exit code wins: crash (3) over failure (1) over violations (4)', async () => {
  const failedAndChecked = await run(`${F}/eager.yaml`, `${F}/impossible.yaml`, '--check', 'strict', '--json');
  assert.equal(failedAndChecked.code, 1, failedAndChecked.stderr);
  const s = JSON.parse(failedAndChecked.stdout);
  assert.deepEqual(s.scenarios.map((x: any) => x.outcome), ['passed', 'failed'], 'both ran, in order');
  assert.equal(s.violations, 1);

  const all = await run(`${F}/crash.yaml`, `${F}/impossible.yaml`, `${F}/eager.yaml`, '--check', 'strict');
  assert.equal(all.code, 3, all.stderr);
  assert.match(all.stderr, /^fc41d: 0 passed, 2 failed, 1 errors; checker: 1 violation \(\d+\.\d s\)$/m);
});
