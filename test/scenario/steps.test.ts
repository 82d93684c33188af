// Every step kind that needs no host process, run against real modules (send drives them), each
// shown to pass and to fail: expect-command/output, expect-no-*, delay, inject, power, world,
// the scenario's own limit, the echo setting, several modules, the checker and coverage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoverageRecorder } from '../../src/coverage/index.ts';
import { run, traceRecords } from './helpers.ts';

const TEST = { timeout: 20_000 };

test('send, expect-command, expect-output, expect-no-*, delay: a passing run and what it leaves', TEST, async () => {
  const r = await run(String.raw`
name: version
echo: false
steps:
  - expect-output: "\r\nready\r\n"
  - send: "AT+QVERSION\r\n"
  - expect-command: "re:^AT\\+QVERSION$"
  - expect-output: "+QVERSION:"
  - expect-output: "re:^OK$"
  - expect-no-output: { pattern: ERROR, for: 200ms }
  - expect-no-command: { pattern: AT+QRST, for: 100ms }
  - delay: 300ms
`);
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  assert.equal(r.name, 'version');
  assert.ok(r.elapsedMs >= 600, `the for's and the delay waited: ${r.elapsedMs} ms`);
  const out = r.outputs[0]!.toString('latin1');
  assert.match(out, /^\r\nready\r\n\r\n\+QVERSION:[^\r]+\r\n\r\nOK\r\n$/, 'echo off: no echo of the command');
  assert.equal(r.transcript.split('\n')[2], '> AT+QVERSION\\r\\n');
  const steps = traceRecords(r).filter((t) => t.scenario !== undefined).map((t) => t.scenario as { step: string; event: string });
  assert.deepEqual(steps.filter((s) => s.event === 'passed').length, 8);
  assert.ok(traceRecords(r).some((t) => t.command === 'AT+QVERSION'), 'the module traced the command line');
  assert.deepEqual(r.violations, []);
  assert.equal(r.hostLog, '');
});

test('an expectation that cannot hold: failed, naming the step, its pattern and the time it waited', TEST, async () => {
  const r = await run(String.raw`
name: never joined
steps:
  - send: "AT\r\n"
  - expect-output: OK
  - expect-output: "+QSTASTAT:GOT_IP"
    timeout: 400ms
  - send: "AT+NEVERSENT\r\n"
`);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error, undefined);
  const f = r.failure!;
  assert.deepEqual([f.stepIndex, f.step, f.pattern], [2, 'steps[2] expect-output', '+QSTASTAT:GOT_IP']);
  assert.ok(f.elapsedMs >= 400 && f.elapsedMs < 2000, `elapsed ${f.elapsedMs}`);
  assert.match(f.message, /^pattern "\+QSTASTAT:GOT_IP" not seen in 400 ms; unread output: /);
  assert.doesNotMatch(r.transcript, /NEVERSENT/, 'no step ran after the failure');
});

test('expect-no-output and expect-no-command fail as soon as the pattern shows up', TEST, async () => {
  const output = await run(String.raw`
name: no error
steps:
  - send: "AT+NOSUCH\r\n"
  - expect-no-output: { pattern: ERROR, for: 5s }
`);
  assert.equal(output.outcome, 'failed');
  assert.deepEqual([output.failure!.stepIndex, output.failure!.pattern], [1, 'ERROR']);
  assert.ok(output.failure!.elapsedMs < 3000, `failed at once, not after 5 s: ${output.failure!.elapsedMs}`);
  assert.match(output.failure!.message, /pattern "ERROR" seen/);

  const command = await run(String.raw`
name: no reset
steps:
  - send: "AT+QRST\r\n"
  - expect-no-command: { pattern: "re:^AT\\+QRST", for: 5s }
`);
  assert.equal(command.outcome, 'failed');
  assert.equal(command.failure!.step, 'steps[1] expect-no-command');
  assert.ok(command.failure!.elapsedMs < 3000);
});

test('one byte per write: matching runs over the whole stream, not per chunk', TEST, async () => {
  const sends = [...'AT+QVERSION\r\n'].map((c) => `  - send: ${JSON.stringify(c)}`).join('\n');
  const r = await run(`name: bytewise\nsteps:\n  - expect-output: ready\n${sends}\n  - expect-command: AT+QVERSION\n  - expect-output: "AT+QVERSION\\r"\n  - expect-output: "\\r\\n+QVERSION:"\n  - expect-output: OK\n`);
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  const echoes = traceRecords(r).filter((t) => t.kind === 'echo');
  assert.ok(echoes.length >= 11, `the echo came in ${echoes.length} chunks`);
  assert.ok(echoes.every((t) => (t.text as string).length === 1), 'one byte each');
});

test('inject: a URC (even with URCs off), raw bytes and hex reach the host as if the module said them', TEST, async () => {
  const r = await run(String.raw`
name: inject
steps:
  - send: "AT+QURCCFG=0\r\n"
  - expect-output: "re:^OK$"
  - inject: { urc: "+QSTASTAT:WLAN_DISCONNECTED" }
  - expect-output: "\r\n+QSTASTAT:WLAN_DISCONNECTED\r\n"
  - inject: { bytes: "raw!" }
  - expect-output: "raw!"
  - inject: { hex: "0d0a4142" }
  - expect-output: "\r\nAB"
  - expect-output: never-said
    timeout: 200ms
`);
  assert.equal(r.outcome, 'failed', 'the last step cannot hold');
  assert.equal(r.failure!.stepIndex, 8);
  assert.ok(r.outputs[0]!.toString('latin1').endsWith('\r\n+QSTASTAT:WLAN_DISCONNECTED\r\nraw!\r\nAB'));
  assert.match(r.transcript, /< raw!\\r\\n\n< AB\n$/);
});

test('power: reset says ready again, a power cut silences, power-on boots, wake ends deep sleep', TEST, async () => {
  const r = await run(String.raw`
name: power
steps:
  - expect-output: ready
  - power: reset
  - expect-output: ready
  - power: power-cut
  - send: "AT\r\n"
  - expect-no-output: { pattern: OK, for: 300ms }
  - power: power-on
  - expect-output: ready
  - send: "AT+QDEEPSLEEP\r\n"
  - expect-output: OK
  - delay: 100ms
  - power: wake
  - expect-output: ready
  - power: wake
`);
  assert.equal(r.outcome, 'failed', 'waking a module that is on cannot hold');
  assert.deepEqual([r.failure!.stepIndex, r.failure!.pattern], [13, 'sleeping']);
  assert.match(r.failure!.message, /module 0 is on, not sleeping/);
  assert.equal(r.outputs[0]!.toString('latin1').match(/ready/g)?.length, 4, 'boot, reset, power-on, wake');
  const power = traceRecords(r).filter((t) => t.power !== undefined).map((t) => t.power);
  assert.deepEqual(power.slice(0, 8), ['booting', 'on', 'booting', 'on', 'off', 'booting', 'on', 'sleeping']);
});

test('world: an AP switched off drops the joined module, an added AP is scanned, a BLE peer goes out of range', TEST, async () => {
  const r = await run(String.raw`
name: world
world:
  accessPoints: [ { ssid: Office, security: WPA2_AES_PSK, password: correct-horse, rssi: -48, channel: 6 } ]
  ble: { peers: [ { name: HRM-1, address: "d0:12:34:56:78:9a", rssi: -60, services: [] } ] }
  timeScale: 0.05
steps:
  - send: "AT+QSTAAPINFO=Office,correct-horse\r\n"
  - expect-output: "+QSTASTAT:GOT_IP"
  - world: { ap: Office, up: false }
  - expect-output: "+QSTASTAT:WLAN_DISCONNECTED"
  - world: { ap: Office, remove: true }
  - world: { ap: Attic, add: { security: OPEN, rssi: -55, channel: 3 } }
  - send: "AT+QWSCAN\r\n"
  - expect-output: "+QWSCAN:\"Attic\",OPEN,55,"
  - expect-output: "re:^OK$"
  - world: { host: echo.test, address: 10.1.2.3, ports: { "7": 7007 } }
  - send: "AT+QBLEINIT=1\r\n"
  - expect-output: "re:^OK$"
  - world: { ble-peer: HRM-1, rssi: -127 }
  - send: "AT+QBLESCAN=1\r\n"
  - expect-output: "re:^OK$"
  - expect-no-output: { pattern: "+QBLESCAN:HRM-1", for: 1500ms }
  - world: { ap: Office, up: true }
`);
  assert.equal(r.outcome, 'error', 'the removed Office cannot be switched on');
  assert.equal(r.error, 'steps[16] world: the world has no access point Office');
  assert.doesNotMatch(r.outputs[0]!.toString('latin1'), /QWSCAN:"Office"/, 'Office was removed before the scan');
  const changes = traceRecords(r).filter((t) => t.world !== undefined).map((t) => t.world as Record<string, unknown>);
  assert.deepEqual(changes.map((c) => c.change), ['changed', 'removed', 'added', 'set', 'changed']);
  assert.deepEqual(changes[3], { host: 'echo.test', entry: { address: '10.1.2.3', ports: { '7': 7007 } }, change: 'set' });
});

test("the scenario's own limit fails the step that was running", TEST, async () => {
  const r = await run('name: slow\ntimeout: 500ms\nsteps:\n  - expect-output: ready\n  - delay: 5s\n');
  assert.equal(r.outcome, 'failed');
  assert.equal(r.failure!.step, 'steps[1] delay');
  assert.match(r.failure!.message, /the scenario's limit of 500 ms ran out/);
  assert.ok(r.elapsedMs < 3000, `${r.elapsedMs} ms`);
});

test('several modules: each its own streams and output; module picks the one a step is for', TEST, async () => {
  const r = await run(String.raw`
name: two
modules: 2
steps:
  - send: "AT+QWLMAC\r\n"
    module: 1
  - expect-output: "+QWLMAC:"
    module: 1
  - expect-no-output: { pattern: "+QWLMAC", for: 200ms }
    module: 0
`);
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  assert.equal(r.outputs.length, 2);
  assert.doesNotMatch(r.outputs[0]!.toString(), /QWLMAC/);
  const macs = r.outputs[1]!.toString().match(/\+QWLMAC:(\S+)/);
  assert.ok(macs);
  assert.match(r.transcript, /^\[1\] > AT\+QWLMAC\\r\\n$/m);
});

test('check and coverage: the checker sees a command sent before the previous OK; coverage counts the commands', TEST, async () => {
  const coverage = new CoverageRecorder();
  const r = await run(
    String.raw`
name: too eager
steps:
  - expect-output: ready
  - send: "AT+QVERSION\r\nAT+QWLMAC\r\n"
  - expect-output: "+QWLMAC:"
  - expect-output: OK
`,
    { check: 'strict', coverage },
  );
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  assert.ok(r.violations.some((v) => v.rule === 'command-before-final'), JSON.stringify(r.violations));
  const report = coverage.report();
  assert.ok(report.commands['AT+QVERSION'], Object.keys(report.commands).join());
  assert.ok(report.commands['AT+QWLMAC']);
  const off = await run('name: quiet\nsteps:\n  - send: "AT\\r\\nAT\\r\\n"\n  - expect-output: OK\n');
  assert.deepEqual(off.violations, [], 'check off: no checker');
});
