/**
 * The reports of `fc41d test` on their own (src/report/): the JUnit writer's document read back by
 * a JUnit reader (junit2json, over xml2js's strict parser) also when transcripts hold control
 * characters and markup, the artifact names beside it, the JSON summary, and the progress lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'junit2json';
import { ArtifactNamer } from '../../src/report/artifacts.ts';
import { jsonSummary } from '../../src/report/json.ts';
import { junitXml, tail, TRANSCRIPT_TAIL_BYTES } from '../../src/report/junit.ts';
import { Progress } from '../../src/report/progress.ts';
import { xmlSafe } from '../../src/report/xml.ts';
import type { ScenarioResult } from '../../src/scenario/run.ts';

const CWD = '/work/project';

function result(over: Partial<ScenarioResult>): ScenarioResult {
  return {
    name: 'a scenario',
    file: `${CWD}/scenarios/a.yaml`,
    index: 0,
    outcome: 'passed',
    elapsedMs: 1234,
    outputs: [],
    transcript: '> AT\n< OK\n',
    trace: '',
    violations: [],
    hostLog: '',
    ...over,
  };
}

const NASTY = 'bell \x07 nul \x00 esc \x1b[31m <tag attr="x"> & ]]> \uFFFE lone \uD800 end';

test('JUnit: suites per file, cases per scenario, failure and error bodies, parsed back by junit2json', async () => {
  const longTranscript = `${'< filler line\n'.repeat(400)}< +QSTASTAT:GOT_IP\n${NASTY}\n`;
  const failed = result({
    name: 'fails <on> "quotes"',
    file: `${CWD}/scenarios/b.yaml`,
    outcome: 'failed',
    failure: { stepIndex: 3, step: 'steps[3] expect-output', pattern: '+QSTASTAT:WLAN_CONNECTED', elapsedMs: 10004, message: 'pattern "+QSTASTAT:WLAN_CONNECTED" not seen in 10000 ms' },
    transcript: longTranscript,
    hostLog: `host said ${NASTY}`,
  });
  const errored = result({ name: 'host crashed', file: `${CWD}/scenarios/b.yaml`, index: 1, outcome: 'error', error: 'the host exited with code 2 while steps remained' });
  const xml = junitXml({
    cwd: CWD,
    properties: { seed: '7', net: 'live', check: 'strict' },
    cases: [
      { result: result({}), violations: [], violationsFail: true },
      { result: failed, violations: [], violationsFail: true, artifacts: { transcript: '/r/b.transcript.txt', trace: '/r/b.trace.jsonl' } },
      { result: errored, violations: [], violationsFail: true },
      { result: result({ name: 'checker', file: `${CWD}/scenarios/c.yaml` }), violations: ['module 0 +5ms command-before-final: AT+QVERSION (…)'], violationsFail: true },
    ],
  });
  assert.doesNotMatch(xml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, 'no raw control characters');
  const doc = (await parse(xml)) as any;
  assert.equal(doc.tests, 4);
  assert.equal(doc.failures, 2);
  assert.equal(doc.errors, 1);
  assert.deepEqual(
    doc.testsuite.map((s: any) => [s.name, s.tests, s.failures, s.errors]),
    [
      ['scenarios/a.yaml', 1, 0, 0],
      ['scenarios/b.yaml', 2, 1, 1],
      ['scenarios/c.yaml', 1, 1, 0],
    ],
  );
  const [a, b, c] = doc.testsuite;
  assert.deepEqual(a.properties.map((p: any) => [p.name, String(p.value)]), [['seed', '7'], ['net', 'live'], ['check', 'strict']]);
  assert.equal(a.testcase[0].time, 1.234);
  assert.equal(a.testcase[0].failure, undefined);

  const fc = b.testcase[0];
  assert.equal(fc.name, 'fails <on> "quotes"');
  assert.equal(fc.classname, 'scenarios/b.yaml');
  assert.equal(fc.failure[0].message, 'steps[3] expect-output: pattern "+QSTASTAT:WLAN_CONNECTED" not seen in 10000 ms');
  assert.equal(fc.failure[0].type, 'expect-output');
  const body: string = fc.failure[0].inner;
  assert.match(body, /^step: steps\[3\] expect-output\npattern: \+QSTASTAT:WLAN_CONNECTED\nelapsed: 10004 ms\n/);
  assert.match(body, /< \+QSTASTAT:GOT_IP\n/);
  assert.match(body, /bell \\x07 nul \\x00 esc \\x1b\[31m <tag attr="x"> & \]\]> \\ufffe lone (\\ud800|\uFFFD) end/, 'control characters shown, markup kept as text');
  const shownTail = body.slice(body.indexOf('transcript:\n') + 'transcript:\n'.length);
  assert.ok(Buffer.byteLength(shownTail) <= TRANSCRIPT_TAIL_BYTES + 10, `the last 2 KB only (${Buffer.byteLength(shownTail)})`);
  assert.ok((shownTail.match(/filler line/g) ?? []).length < 200, 'not the whole transcript');
  const out: string = fc['system-out'][0];
  assert.match(out, /^\[\[ATTACHMENT\|\/r\/b\.transcript\.txt\]\]\n\[\[ATTACHMENT\|\/r\/b\.trace\.jsonl\]\]\n/m);
  assert.match(out, /host output:\nhost said bell \\x07/);

  const ec = b.testcase[1];
  assert.equal(ec.error[0].message, 'the host exited with code 2 while steps remained');
  assert.equal(ec.error[0].type, 'infrastructure');
  assert.equal(ec.failure, undefined);

  const cc = c.testcase[0];
  assert.equal(cc.failure[0].type, 'checker');
  assert.match(cc.failure[0].message, /^1 host-driver checker violation: module 0 \+5ms command-before-final/);
});

test('JUnit: under --check warn violations are listed but do not fail the case', async () => {
  const xml = junitXml({ cwd: CWD, properties: {}, cases: [{ result: result({}), violations: ['module 0 +1ms mixed-terminators: AT\\n'], violationsFail: false }] });
  const doc = (await parse(xml)) as any;
  assert.equal(doc.failures, 0);
  const tc = doc.testsuite[0].testcase[0];
  assert.equal(tc.failure, undefined);
  assert.match(tc['system-out'][0], /checker violations \(1\):\n {2}module 0 \+1ms mixed-terminators/);
});

test('xmlSafe and tail', () => {
  assert.equal(xmlSafe('a\x00b\x1fc\td\ne\rf'), 'a\\x00b\\x1fc\td\ne\rf');
  assert.equal(xmlSafe('😀 \uD83D'), '😀 \\ud83d');
  assert.equal(tail('short', 10), 'short');
  const t = tail(`${'x'.repeat(3000)}\nlast line é\n`, 100);
  assert.ok(t.startsWith('…\n'));
  assert.ok(Buffer.byteLength(t) <= 104);
  assert.ok(t.endsWith('last line é\n'));
});

test('artifact names: <stem>[.<index>] beside the JUnit file; same stems in other folders do not collide', () => {
  const namer = new ArtifactNamer('/out/reports');
  assert.deepEqual(namer.pathsFor('/s/join.yaml', 0), { transcript: '/out/reports/join.transcript.txt', trace: '/out/reports/join.trace.jsonl' });
  assert.equal(namer.pathsFor('/s/join.yaml', 2).transcript, '/out/reports/join.2.transcript.txt');
  assert.equal(namer.pathsFor('/other/join.yml', 0).transcript, '/out/reports/join-2.transcript.txt');
  assert.equal(namer.pathsFor('/s/join.yaml', 1).trace, '/out/reports/join.1.trace.jsonl');
});

test('JSON summary: counts, settings, relative paths', () => {
  const s = jsonSummary({
    cwd: CWD,
    exitCode: 1,
    settings: { seed: 3, net: 'replay', check: 'warn' },
    elapsedMs: 2000.4,
    junit: `${CWD}/reports/junit.xml`,
    results: [
      { result: result({}), artifacts: { transcript: `${CWD}/reports/a.transcript.txt`, trace: `${CWD}/reports/a.trace.jsonl` } },
      { result: result({ outcome: 'failed', name: 'b' }) },
    ],
  });
  assert.deepEqual(
    { exitCode: s.exitCode, seed: s.seed, net: s.net, check: s.check, passed: s.passed, failed: s.failed, errors: s.errors, junit: s.junit, elapsedMs: s.elapsedMs },
    { exitCode: 1, seed: 3, net: 'replay', check: 'warn', passed: 1, failed: 1, errors: 0, junit: 'reports/junit.xml', elapsedMs: 2000 },
  );
  assert.equal(s.scenarios[0]!.transcript, 'reports/a.transcript.txt');
  assert.equal(s.scenarios[0]!.file, 'scenarios/a.yaml');
  assert.equal(s.scenarios[1]!.outcome, 'failed');
});

test('progress: plain PASS/FAIL lines off a terminal; an in-place line and ✓/✗ on one', async () => {
  let plain = '';
  const p = new Progress({ write: (t: string) => (plain += t), isTTY: false });
  p.start('a.yaml › one');
  p.finish('a.yaml › one', result({ elapsedMs: 1500 }));
  p.start('a.yaml › two');
  p.finish('a.yaml › two', result({ outcome: 'error', error: 'host crashed', elapsedMs: 200 }), ['a violation']);
  const violation = { rule: 'command-before-final', module: 'module 0', atMs: 5, time: '', line: 'AT', message: '' } as ScenarioResult['violations'][number];
  p.finish('a.yaml › three', result({ violations: [violation] }), ['v'], true);
  p.finish('a.yaml › four', result({ violations: [violation] }), ['v'], false);
  assert.equal(
    plain,
    'PASS a.yaml › one (1.5 s)\nERROR a.yaml › two: host crashed (0.2 s)\n    a violation\n' +
      'FAIL a.yaml › three: 1 host-driver checker violation (1.2 s)\n    v\nPASS a.yaml › four (1.2 s)\n    v\n',
  );

  let tty = '';
  const t = new Progress({ write: (s: string) => (tty += s), isTTY: true, columns: 60 }, { color: false });
  t.start('b.yaml › ticking');
  await new Promise((r) => setTimeout(r, 600));
  t.log('a diagnostic');
  t.finish('b.yaml › ticking', result({ outcome: 'failed', failure: { stepIndex: 0, step: 'steps[0] expect-exit', pattern: '0', elapsedMs: 5, message: 'exit 1' }, elapsedMs: 600 }));
  assert.match(tty, /^\r\x1b\[2K… b\.yaml › ticking \(0\.0 s\)/);
  assert.ok((tty.match(/… b\.yaml › ticking/g) ?? []).length >= 3, 'redrawn while running');
  assert.match(tty, /\r\x1b\[2Ka diagnostic\n\r\x1b\[2K… b\.yaml/);
  assert.ok(tty.endsWith('\r\x1b[2K✗ b.yaml › ticking: steps[0] expect-exit: exit 1 (0.6 s)\n'), JSON.stringify(tty.slice(-80)));
});
