// expect-backend against the default world's own services: the broker received a module's PUBLISH,
// httpbin its GET; what cannot hold fails; faults act on the way there; a record run keeps what
// expect-backend saw in its cassette and a replay (no broker, no httpbin) is satisfied from it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScenarios } from '../../src/scenario/load.ts';
import { defaultCassettePath, runScenario } from '../../src/scenario/run.ts';
import { run, writeFiles } from './helpers.ts';

const TEST = { timeout: 20_000 };

/** The default world's Office, then an MQTT session with the default world's broker. */
const JOIN_AND_CONNECT = String.raw`
  - send: "AT+QSTAAPINFO=Office,correct-horse\r\n"
  - expect-output: "+QSTASTAT:GOT_IP"
  - send: "AT+QMTOPEN=0,\"broker.fc41d.local\",1883\r\n"
  - expect-output: "+QMTOPEN: 0,0"
  - send: "AT+QMTCONN=0,\"scenario-1\"\r\n"
  - expect-output: "+QMTCONN: 0,0,0"`;

test('mqtt and http: the broker got the PUBLISH, httpbin the GET; a fault refuses the broker until stopped', TEST, async () => {
  const r = await run(String.raw`
name: publish and get
steps:${JOIN_AND_CONNECT}
  - send: "AT+QMTPUB=0,0,0,0,\"sensors/office/temp\",4,\"21.5\"\r\n"
  - expect-output: "+QMTPUB: 0,0,0"
  - expect-backend: { mqtt: { topic: "re:^sensors/", payload: "21.5" } }
  - send: "AT+QHTTPCFG=\"url\",\"http://httpbin.fc41d.local/get?probe=1\"\r\n"
  - expect-output: "re:^OK$"
  - send: "AT+QHTTPGET=60\r\n"
  - expect-output: "re:\\+QHTTPGET: 0,200,\\d+"
  - expect-backend: { http: { method: get, path: "re:^/get\\?probe=1$" } }
  - fault: { start: { kind: refuse, host: broker.fc41d.local, port: 1883 }, as: no-broker }
  - send: "AT+QMTOPEN=1,\"broker.fc41d.local\",1883\r\n"
  - expect-output: "+QMTOPEN: 1,-1"
  - fault: { stop: no-broker }
  - send: "AT+QMTOPEN=1,\"broker.fc41d.local\",1883\r\n"
  - expect-output: "+QMTOPEN: 1,0"
  - fault: { start: { kind: dns-failure, host: httpbin.fc41d.local, module: 0 } }
  - fault: { stop: all }
`);
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  const faults = r.trace.split('\n').filter((l) => /"fault(Started|Stopped)"/.test(l)).map((l) => Object.keys(JSON.parse(l)).find((k) => k.startsWith('fault')));
  assert.deepEqual(faults, ['faultStarted', 'faultStopped', 'faultStarted', 'faultStopped']);
});

test('expect-backend that cannot hold: failed, naming what was expected and what arrived', TEST, async () => {
  const r = await run(String.raw`
name: wrong topic
steps:${JOIN_AND_CONNECT}
  - send: "AT+QMTPUB=0,0,0,0,\"sensors/office/temp\",4,\"21.5\"\r\n"
  - expect-output: "+QMTPUB: 0,0,0"
  - expect-backend: { mqtt: { topic: "sensors/office/temp", payload: "99.9" } }
    timeout: 500ms
`);
  assert.equal(r.outcome, 'failed');
  assert.deepEqual([r.failure!.stepIndex, r.failure!.step, r.failure!.pattern], [8, 'steps[8] expect-backend', 'mqtt topic "sensors/office/temp" payload "99.9"']);
  assert.match(r.failure!.message, /not received in 500 ms; arrived: PUBLISH "sensors\/office\/temp" "21\.5"/);
  assert.ok(r.failure!.elapsedMs >= 500);

  const http = await run('name: no request\nsteps:\n  - expect-backend: { http: { path: /get } }\n    timeout: 300ms\n');
  assert.equal(http.outcome, 'failed');
  assert.match(http.failure!.message, /^http path "\/get": not received in 300 ms; nothing arrived$/);
});

test('record stores what expect-backend saw in the cassette; replay (no broker) is satisfied from it, byte for byte', TEST, async () => {
  const dir = writeFiles({
    'publish.yaml': String.raw`
name: record me
steps:${JOIN_AND_CONNECT}
  - send: "AT+QMTPUB=0,0,0,0,\"sensors/office/temp\",4,\"21.5\"\r\n"
  - expect-output: "+QMTPUB: 0,0,0"
  - expect-backend: { mqtt: { topic: sensors/office/temp } }
`,
  });
  const [loaded] = loadScenarios([dir]);
  const cassette = defaultCassettePath(loaded!.file, 0);
  assert.equal(cassette, join(dir, 'publish.cassette.json'));
  const recorded = await runScenario(loaded!, { net: 'record', seed: 7 });
  assert.equal(recorded.outcome, 'passed', recorded.failure?.message ?? recorded.error);
  assert.ok(existsSync(cassette));
  const stored = JSON.parse(readFileSync(cassette, 'utf8')) as { extra: { backend: unknown[] } };
  assert.deepEqual(stored.extra.backend, [{ kind: 'mqtt', topic: 'sensors/office/temp', payload: '21.5' }]);

  const replayed = await runScenario(loaded!, { net: 'replay', seed: 7 });
  assert.equal(replayed.outcome, 'passed', replayed.failure?.message ?? replayed.error);
  assert.ok(replayed.outputs[0]!.equals(recorded.outputs[0]!), 'the same bytes from the module');
  assert.ok(!/"faultStarted"/.test(replayed.trace));

  // A replay whose cassette lacks the observation fails that step at once.
  const other = writeFiles({ 'other.yaml': 'name: other\nsteps:\n  - expect-backend: { http: { path: /get } }\n    timeout: 300ms\n' });
  const [otherLoaded] = loadScenarios([other]);
  const missing = await runScenario(otherLoaded!, { net: 'replay', cassettePath: cassette });
  assert.equal(missing.outcome, 'failed');
  assert.match(missing.failure!.message, /not in the cassette; arrived: PUBLISH "sensors\/office\/temp" "21\.5"/);
  assert.ok(missing.failure!.elapsedMs < 1000);

  // A connection the cassette does not hold: loud, an infrastructure error naming it.
  const [connecting] = loadScenarios([writeFiles({ 'c.yaml': `name: connects\nsteps:${JOIN_AND_CONNECT}\n` })]);
  const unrecorded = await runScenario(connecting!, { net: 'replay', cassettePath: cassette, seed: 7 });
  assert.equal(unrecorded.outcome, 'passed', 'the same connection as recorded');
  const emptyCassette = join(other, 'empty.cassette.json');
  assert.equal((await runScenario(otherLoaded!, { net: 'record', cassettePath: emptyCassette })).outcome, 'failed');
  const [opening] = loadScenarios([writeFiles({ 'o.yaml': `name: opens\nsteps:${JOIN_AND_CONNECT.split('\n').slice(0, 4).join('\n')}\n  - expect-output: "+QMTOPEN: 0,"\n` })]);
  const miss = await runScenario(opening!, { net: 'replay', cassettePath: emptyCassette, seed: 7 });
  assert.equal(miss.outcome, 'error');
  assert.match(miss.error!, /replay: .*broker\.fc41d\.local/);

  // No cassette at all: an infrastructure error.
  const none = await runScenario(otherLoaded!, { net: 'replay' });
  assert.equal(none.outcome, 'error');
  assert.match(none.error!, /cannot read cassette/);
});
