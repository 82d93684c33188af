/**
 * The default world's broker as `fc41d serve` runs it (src/world/broker.ts): reachable over MQTT
 * and MQTT over TLS with the CA `fc41d ca` prints, off with --no-broker, left out when the world
 * file names broker.fc41d.local itself, stopped with the process; and a module in the embedded
 * default world using it as the README's MQTT quick start does, plain and over TLS.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { pki } from '../ssl/certs.ts';
import { AtHost, splitLines } from '../helpers/at-host.ts';
import { Cli, cleanUp, joinedServeHost, serveTcp, spawnConsole, WAIT_MS } from '../helpers/cli.ts';
import { closeMqttClients, echoThrough, mqttClient } from '../helpers/mqtt-clients.ts';

const TEST = { timeout: 60_000 };
const MQTT_LINE = /^fc41d: broker broker\.fc41d\.local:1883 mqtt on 127\.0\.0\.1:(\d+)$/m;
const MQTTS_LINE = /^fc41d: broker broker\.fc41d\.local:8883 mqtts on 127\.0\.0\.1:(\d+) \(test CA: fc41d ca\)$/m;

const dir = mkdtempSync(join(tmpdir(), 'fc41d-serve-broker-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await closeMqttClients();
  await cleanUp();
});

/** Runs `fc41d …args` to its end; its stdout. */
async function run(...args: string[]): Promise<string> {
  const cli = new Cli(args);
  const { code } = await cli.exited;
  assert.equal(code, 0, cli.stderr);
  return cli.stdout;
}

test('serve: the broker takes MQTT, and MQTT over TLS for broker.fc41d.local verified by the CA `fc41d ca` prints', TEST, async () => {
  const { cli } = await serveTcp();
  const mqttPort = Number(MQTT_LINE.exec(cli.stdout)?.[1]);
  const mqttsPort = Number(MQTTS_LINE.exec(cli.stdout)?.[1]);
  assert.ok(mqttPort > 0 && mqttsPort > 0, cli.stdout);
  assert.ok(cli.stdout.indexOf('broker.fc41d.local:1883') < cli.stdout.indexOf('listening on tcp'), 'printed before the module listens');

  const plain = await mqttClient(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'plain' });
  assert.equal((await echoThrough(plain, 'demo', 'hello')).toString(), 'hello');

  const ca = await run('ca');
  assert.match(ca, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
  const out = join(dir, 'ca.pem');
  assert.equal(await run('ca', '--out', out), '', '--out writes the file, not stdout');
  assert.equal(readFileSync(out, 'utf8'), ca);

  const secure = await mqttClient(`mqtts://127.0.0.1:${mqttsPort}`, { ca, servername: 'broker.fc41d.local', clientId: 'secure' });
  assert.equal((await echoThrough(secure, 'demo', 'over tls')).toString(), 'over tls');
  // The two ports are one broker: a message crosses from TLS to plain.
  await plain.subscribeAsync('cross', { qos: 1 });
  const crossed = new Promise<string>((resolve) => plain.once('message', (_t, m) => resolve(m.toString())));
  await secure.publishAsync('cross', 'from tls', { qos: 1 });
  assert.equal(await crossed, 'from tls');

  // The certificate is for that name only, and only this CA vouches for it.
  await assert.rejects(mqttClient(`mqtts://127.0.0.1:${mqttsPort}`, { ca, servername: 'other.example' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  await assert.rejects(mqttClient(`mqtts://127.0.0.1:${mqttsPort}`, { ca: pki().ca.cert, servername: 'broker.fc41d.local' }), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  });
});

test('serve: SIGTERM with MQTT clients connected exits 0 and closes their connections', TEST, async () => {
  const { cli } = await serveTcp();
  const client = await mqttClient(`mqtt://127.0.0.1:${MQTT_LINE.exec(cli.stdout)![1]}`);
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  assert.deepEqual(await cli.stop('SIGTERM'), { code: 0, signal: null });
  await closed;
});

test('serve --no-broker: no broker, and says so', TEST, async () => {
  const { cli } = await serveTcp('--no-broker');
  assert.match(cli.stdout, /^fc41d: broker off \(--no-broker\)$/m);
  assert.doesNotMatch(cli.stdout, /mqtt on/);
});

test("serve --world naming broker.fc41d.local: the world file's entry is kept, no broker starts", TEST, async () => {
  const world = join(dir, 'own-broker.json');
  writeFileSync(world, JSON.stringify({ hosts: { 'Broker.FC41D.local': '127.0.0.1' } }));
  const { cli } = await serveTcp('--world', world);
  assert.match(cli.stdout, /^fc41d: broker broker\.fc41d\.local is the world file's \(no built-in broker\)$/m);
  assert.doesNotMatch(cli.stdout, /mqtt on/);
});

test('console: the broker runs there too (its lines on stderr) and stops with !quit; --no-broker turns it off', TEST, async () => {
  const on = spawnConsole();
  const port = Number((await on.waitFor(MQTT_LINE)).at(1));
  await on.waitFor(MQTTS_LINE);
  const client = await mqttClient(`mqtt://127.0.0.1:${port}`);
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  on.proc.stdin.end('!quit\n');
  assert.equal(await on.exited, 0);
  await closed;
  assert.doesNotMatch(on.stdout(), /broker/, "stdout is the module's");

  const off = spawnConsole('--no-broker');
  await off.waitFor(/^fc41d: broker off \(--no-broker\)$/m);
  off.proc.stdin.end('!quit\n');
  assert.equal(await off.exited, 0);
});

/** A host on a fresh `fc41d serve` (echo off), joined to the default world's Office; the broker's real plain port. */
async function joinedHost() {
  const { h, cli } = await joinedServeHost();
  return { h, mqttPort: Number(MQTT_LINE.exec(cli.stdout)![1]) };
}

/** The README's MQTT quick start after the open: connect, subscribe, publish, and the message back. */
async function connectSubscribePublish(h: AtHost): Promise<void> {
  assert.equal(await h.expect('+QMTOPEN: 0,0\r\n', WAIT_MS), '\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n');
  h.send('AT+QMTCONN=0,"dev1"');
  assert.equal(await h.expect(/\+QMTCONN: .*\r\n/, WAIT_MS), '\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n');
  h.send('AT+QMTSUB=0,1,"demo",1');
  assert.equal(await h.expect(/\+QMTSUB: .*\r\n/, WAIT_MS), '\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n');
  h.send('AT+QMTPUB=0,1,1,0,"demo",5,"hello"');
  await h.expect('\r\nOK\r\n', WAIT_MS);
  // The PUBACK and the broker's PUBLISH back race: the two URCs come in either order.
  const urcs = splitLines((await h.expect(/(\+QMTPUB: [^\r]*\r\n[\s\S]*\+QMTRECV: [^\r]*\r\n|\+QMTRECV: [^\r]*\r\n[\s\S]*\+QMTPUB: [^\r]*\r\n)/, WAIT_MS)));
  assert.equal(urcs.length, 2, urcs.join('|'));
  assert.ok(urcs.includes('+QMTPUB: 0,1,0'), urcs.join('|'));
  // The msgID is the broker's for its PUBLISH to this client (aedes starts at a random one).
  assert.match(urcs.find((l) => l.startsWith('+QMTRECV')) ?? '', /^\+QMTRECV: 0,([1-9]\d*),"demo",5,"hello"$/);
}

test('embedded default world: a joined module opens broker.fc41d.local:1883, connects, subscribes and gets its own message back', TEST, async () => {
  const { h, mqttPort } = await joinedHost();
  // Someone outside on the broker's printed port sees the module's message too: one broker.
  const watcher = await mqttClient(`mqtt://127.0.0.1:${mqttPort}`);
  await watcher.subscribeAsync('demo', { qos: 1 });
  const seen = new Promise<string>((resolve) => watcher.once('message', (_t, m) => resolve(m.toString())));
  h.send('AT+QMTOPEN=0,"broker.fc41d.local",1883');
  await connectSubscribePublish(h);
  assert.equal(await seen, 'hello');
});

test('embedded default world: TLS to broker.fc41d.local:8883 verified with the CA `fc41d ca` prints, uploaded with AT+QSSLCERT', TEST, async () => {
  const ca = await run('ca');
  const { h } = await joinedHost();
  // Verification on and no CA uploaded: no session.
  assert.deepEqual(await h.command('AT+QSSLCFG="verify",1,1', WAIT_MS), { lines: [], final: 'OK' });
  assert.deepEqual(await h.command('AT+QMTCFG="ssl",0,1,1', WAIT_MS), { lines: [], final: 'OK' });
  h.send('AT+QMTOPEN=0,"broker.fc41d.local",8883');
  assert.match(await h.expect(/\+QMTOPEN: 0,-?\d+\r\n/, WAIT_MS), /\+QMTOPEN: 0,(?!0\r)-?\d+\r\n$/);

  h.send(`AT+QSSLCERT="CA",2,${Buffer.byteLength(ca)}`);
  await h.expect('\r\nCONNECT\r\n', WAIT_MS);
  h.write(ca);
  await h.expect('\r\nOK\r\n', WAIT_MS);
  h.send('AT+QMTOPEN=0,"broker.fc41d.local",8883');
  await connectSubscribePublish(h);
});
