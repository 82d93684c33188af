// Scenario files: what loads (folders, several documents, world files and inline worlds, durations)
// and what stops with a ScenarioError naming the file, the field and the line.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScenarios, ScenarioError } from '../../src/scenario/load.ts';
import { stepKind, stepLabel } from '../../src/scenario/schema.ts';
import { scenarios, writeFiles } from './helpers.ts';

/** The ScenarioError loading `yaml` throws. */
function loadError(yaml: string, extra: Record<string, string> = {}): ScenarioError {
  try {
    scenarios(yaml, extra);
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `a ScenarioError, got ${String(e)}`);
    return e;
  }
  assert.fail('loaded without an error');
}

test('a misspelt step key names the step, the key and the keys allowed, with its line', () => {
  const e = loadError('name: x\nsteps:\n  - send: "AT\\r\\n"\n  - delay: 10ms\n  - expect-outptu: OK\n');
  assert.equal(e.field, 'steps[2].expect-outptu');
  assert.equal(e.line, 5);
  assert.match(e.message, /scenario\.yaml:5: steps\[2\]\.expect-outptu: unknown step key "expect-outptu" \(did you mean "expect-output"\?\)/);
  assert.match(e.message, /expect-command, expect-output, .*expect-exit.*timeout, module, name/);
  assert.ok(e.file.endsWith('scenario.yaml'));
});

test('bad durations, a bad fault kind, a bad regex, a bad inject: each names its field', () => {
  const cases: [string, string, RegExp][] = [
    ['  - delay: 10x\n', 'steps[0].delay', /expected a duration like "500ms"/],
    ['  - expect-output: OK\n    timeout: -5\n', 'steps[0].timeout', /0 or more/],
    ['  - expect-no-output: { pattern: ERROR, for: 2h }\n', 'steps[0].expect-no-output.for', /duration/],
    ['  - fault: { start: { kind: refuze, host: broker.fc41d.local } }\n', 'steps[0].fault.start.kind', /unknown fault kind \(kinds: dns-failure, refuse/],
    ['  - fault: { start: { kind: refuse, hots: x } }\n', 'steps[0].fault.start.host', /expected string/],
    ['  - expect-output: "re:(("\n', 'steps[0].expect-output', /not a valid regular expression/],
    ['  - inject: { text: x }\n', 'steps[0].inject', /one of the keys urc, bytes, hex/],
    ['  - power: reboot\n', 'steps[0].power', /reset|power-cut/],
    ['  - world: { ap: Office }\n', 'steps[0].world', /exactly one of these/],
    ['  - world: { ap: New, add: { security: WPA2_AES_PSK } }\n', 'steps[0].world.add.password', /needs a password/],
    ['  - world: { host: x.test, address: 300.1.1.1 }\n', 'steps[0].world.address', /./],
    ['  - expect-output: a\n    expect-command: b\n', 'steps[0]', /exactly one kind key \(found expect-command and expect-output\)|found expect-output and expect-command/],
    ['  - send: AT\n    module: 2\n', 'steps[0].module', /module 2 does not exist/],
    ['  - expect-exit: 0\n', 'steps[0].expect-exit', /needs a spawned host/],
  ];
  for (const [step, field, message] of cases) {
    const e = loadError(`name: x\nsteps:\n${step}`);
    assert.equal(e.field, field, step);
    assert.match(e.message, message, step);
    // The line of the field itself (the step's second line for `timeout`, `module`).
    assert.equal(e.line, /\.(timeout|module)$/.test(field) ? 4 : 3, step);
  }
});

test('top-level mistakes: unknown key, no name, no steps, bad host, placeholders beyond the modules', () => {
  assert.equal(loadError('name: x\nmodule: 2\nsteps: [ { delay: 1 } ]\n').field, 'module');
  assert.match(loadError('name: x\nmodule: 2\nsteps: [ { delay: 1 } ]\n').message, /allowed: name, world, modules, echo, timeout, host, steps/);
  assert.equal(loadError('steps: [ { delay: 1 } ]\n').field, 'name');
  assert.equal(loadError('name: x\nsteps: []\n').field, 'steps');
  assert.equal(loadError('name: x\nhost: { spawn: a, attach: true }\nsteps: [ { delay: 1 } ]\n').field, 'host');
  assert.equal(loadError('name: x\nhost: { spawn: "h {tcp1}" }\nsteps: [ { delay: 1 } ]\n').field, 'host.spawn');
  assert.equal(loadError('name: x\nmodules: 17\nsteps: [ { delay: 1 } ]\n').field, 'modules');
});

test('YAML syntax errors and world errors name the line and field', () => {
  const syntax = loadError('name: x\nsteps:\n  - send: "AT\n  - [\n');
  assert.equal(syntax.field, '');
  assert.ok(syntax.line !== undefined && syntax.line >= 3, `line ${syntax.line}`);
  assert.match(syntax.message, /not valid YAML/);
  const inline = loadError('name: x\nworld:\n  accessPoints:\n    - { ssid: X, rssi: 5 }\nsteps: [ { delay: 1 } ]\n');
  assert.equal(inline.field, 'world.accessPoints[0].rssi');
  assert.equal(inline.line, 4);
  const missing = loadError('name: x\nworld: ./nowhere.json\nsteps: [ { delay: 1 } ]\n');
  assert.equal(missing.field, 'world');
  assert.match(missing.message, /nowhere\.json: cannot read it/);
});

test('a missing path is a ScenarioError naming it', () => {
  assert.throws(() => loadScenarios(['/nonexistent/scenarios']), (e: unknown) => e instanceof ScenarioError && e.file === '/nonexistent/scenarios');
});

test('folders are searched recursively for .yaml/.yml, sorted; documents are scenarios; worlds load', () => {
  const dir = writeFiles({
    'b.yaml': 'name: b1\nworld: ./lab.json\nsteps: [ { delay: 1 } ]\n---\nname: b2\nworld: { accessPoints: [ { ssid: Inline, security: OPEN } ] }\nsteps: [ { delay: 1 } ]\n---\n',
    'a.yml': 'name: a\nsteps: [ { delay: "1.5s" }, { expect-output: x, timeout: 1m, module: 0, name: first } ]\n',
    'notes.txt': 'not a scenario',
    'lab.json': JSON.stringify({ accessPoints: [{ ssid: 'Lab', security: 'OPEN' }] }),
  });
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'c.yaml'), 'name: c\necho: false\nmodules: 3\ntimeout: 30s\nsteps: [ { send: { hex: 0d0a }, module: 2 } ]\n');
  const loaded = loadScenarios([dir, join(dir, 'a.yml')]); // a file given twice runs once
  assert.deepEqual(
    loaded.map((l) => [l.file.slice(dir.length + 1), l.index, l.scenario.name]),
    [['a.yml', 0, 'a'], ['b.yaml', 0, 'b1'], ['b.yaml', 1, 'b2'], ['sub/c.yaml', 0, 'c']],
  );
  const [a, b1, b2, c] = loaded;
  assert.deepEqual(a!.scenario.steps, [{ delay: 1500 }, { 'expect-output': 'x', timeout: 60_000, module: 0, name: 'first' }]);
  assert.equal(a!.scenario.timeout, 120_000);
  assert.equal(a!.scenario.modules, 1);
  assert.deepEqual(a!.world!.accessPoints.map((ap) => ap.ssid), ['Office', 'Guest', 'Lab-5', 'Neighbour'], 'the default world');
  assert.deepEqual(b1!.world!.accessPoints.map((ap) => ap.ssid), ['Lab']);
  assert.deepEqual(b2!.world!.accessPoints.map((ap) => ap.ssid), ['Inline']);
  assert.deepEqual([c!.scenario.echo, c!.scenario.modules, c!.scenario.timeout], [false, 3, 30_000]);
  assert.equal(stepKind(c!.scenario.steps[0]!), 'send');
  assert.equal(stepLabel(0, c!.scenario.steps[0]!), 'steps[0] send');
});
