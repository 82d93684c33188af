/**
 * `fc41d test`, the real command in a child process: the join-and-scan example passes (exit 0,
 * a JUnit file with one passing testcase read back by a JUnit reader, transcript and trace beside
 * it, the --json summary, merged coverage), an expectation that cannot hold fails (exit 1, naming
 * the step), a misspelt step key stops the run before it starts (exit 2, naming the field), and
 * bad options are usage errors (exit 2).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'junit2json';
import { cleanUp, runTestCommand, tempDir } from '../helpers/cli.ts';

afterEach(cleanUp);
// Paths below (and in the reports) are relative to the repository's root.
process.chdir(fileURLToPath(new URL('../..', import.meta.url)));

const FIXTURES = 'test/cli/fixtures';
const JOIN_AND_SCAN = 'examples/scenarios/join-and-scan.yaml';

const run = runTestCommand;

test('the join-and-scan example: exit 0, one passing testcase, transcript and trace beside the JUnit, --json, coverage', async () => {
  const dir = tempDir();
  const junit = join(dir, 'reports', 'junit.xml');
  const coverage = join(dir, 'coverage.json');
  const { code, stdout, stderr } = await run(JOIN_AND_SCAN, '--junit', junit, '--json', '--coverage', coverage, '--seed', '7');
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^PASS examples\/scenarios\/join-and-scan\.yaml › join Office and scan \(\d+\.\d s\)$/m);

  const doc = (await parse(readFileSync(junit, 'utf8'))) as any;
  assert.equal(doc.tests, 1);
  assert.equal(doc.failures, 0);
  assert.equal(doc.errors, 0);
  assert.equal(doc.testsuite.length, 1);
  const suite = doc.testsuite[0];
  assert.equal(suite.name, JOIN_AND_SCAN);
  assert.equal(suite.tests, 1);
  assert.equal(suite.testcase.length, 1);
  const tc = suite.testcase[0];
  assert.equal(tc.name, 'join Office and scan');
  assert.equal(tc.classname, JOIN_AND_SCAN);
  assert.equal(tc.failure, undefined);
  assert.equal(tc.error, undefined);
  assert.ok(tc.time > 0);
  assert.ok(suite.properties.some((p: any) => p.name === 'seed' && p.value === 7));

  const transcript = join(dir, 'reports', 'join-and-scan.transcript.txt');
  const trace = join(dir, 'reports', 'join-and-scan.trace.jsonl');
  assert.match(readFileSync(transcript, 'utf8'), /AT\+QSTAAPINFO=Office,correct-horse[\s\S]*\+QSTASTAT:GOT_IP[\s\S]*\+QWSCAN:"Office"/);
  const records = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(records.length > 5, `${records.length} trace records`);
  assert.match(tc['system-out'][0], new RegExp(`\\[\\[ATTACHMENT\\|${transcript.replace(/[.\\/]/g, '\\$&')}\\]\\]`));
  assert.match(tc['system-out'][0], /joined Office; 4 access points in range/, 'the host log');

  const summary = JSON.parse(stdout);
  assert.equal(summary.exitCode, 0);
  assert.equal(summary.seed, 7);
  assert.equal(summary.passed, 1);
  assert.equal(summary.failed, 0);
  assert.equal(summary.scenarios.length, 1);
  assert.equal(summary.scenarios[0].name, 'join Office and scan');
  assert.equal(summary.scenarios[0].outcome, 'passed');
  assert.equal(summary.scenarios[0].file, JOIN_AND_SCAN);

  const cov = JSON.parse(readFileSync(coverage, 'utf8'));
  assert.equal(cov.version, 1);
  assert.ok(cov.commands['AT+QSTAAPINFO']?.outcomes.OK >= 1, JSON.stringify(cov.commands));
  assert.ok(cov.commands['AT+QWSCAN']?.forms.exec >= 1);
  assert.ok(cov.urcs['+QSTASTAT:GOT_IP'] >= 1);
  assert.match(stderr, /AT coverage: commands \d+\/\d+ touched/);
});

test('an expectation that cannot hold: exit 1, the failure names the step, the pattern and the time', async () => {
  const dir = tempDir();
  const junit = join(dir, 'junit.xml');
  const { code, stderr } = await run(`${FIXTURES}/impossible.yaml`, '--junit', junit);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^FAIL test\/cli\/fixtures\/impossible\.yaml › scan finds a Cafe that is not there: steps\[2\] expect-output: /m);

  const doc = (await parse(readFileSync(junit, 'utf8'))) as any;
  assert.equal(doc.failures, 1);
  const failure = doc.testsuite[0].testcase[0].failure[0];
  assert.match(failure.message, /^steps\[2\] expect-output: /);
  assert.match(failure.message, /Cafe/);
  assert.match(failure.inner, /^step: steps\[2\] expect-output\npattern: \+QWSCAN:"Cafe"\nelapsed: (1[5-9]\d\d|[2-9]\d\d\d) ms\n/);
  assert.match(failure.inner, /last 2 KB of the transcript:[\s\S]*\+QWSCAN:"Office"/, 'the transcript shows what came instead');
  assert.ok(existsSync(join(dir, 'impossible.transcript.txt')));
});

test('a misspelt step key: exit 2 before anything runs, naming the file and the field', async () => {
  const dir = tempDir();
  const junit = join(dir, 'junit.xml');
  // A valid scenario listed first does not run either: every file is checked before the first run.
  const { code, stderr, stdout } = await run(JOIN_AND_SCAN, `${FIXTURES}/misspelt.yaml`, '--junit', junit, '--json');
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^fc41d: test\/cli\/fixtures\/misspelt\.yaml:\d+: steps\[1\]\.expect-outptu: unknown step key "expect-outptu"/m);
  assert.doesNotMatch(stderr, /PASS|FAIL/);
  assert.equal(stdout, '');
  assert.equal(existsSync(junit), false);
});

test('invalid scenarios and options are exit 2 with one line, never a stack trace', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.yaml'), 'name: x\nsteps:\n  - expect-output: "re:("\n');
  writeFileSync(join(dir, 'tabs.yaml'), 'name: [unclosed\n');
  const cases: [string[], RegExp][] = [
    [[join(dir, 'bad.yaml')], /bad\.yaml:3: steps\[0\]\.expect-output: not a valid regular expression/],
    [[join(dir, 'tabs.yaml')], /tabs\.yaml:\d+: not valid YAML/],
    [[join(dir, 'missing.yaml')], /missing\.yaml: cannot read it \(ENOENT\)/],
    [[JOIN_AND_SCAN, '--seed', 'x'], /--seed/],
    [[JOIN_AND_SCAN, '--net', 'carrier-pigeon'], /--net/],
    [[JOIN_AND_SCAN, '--check', 'sometimes'], /--check/],
  ];
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  cases.push([[empty], /no scenario files/]);
  for (const [args, message] of cases) {
    const { code, stderr } = await run(...args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  }
});
