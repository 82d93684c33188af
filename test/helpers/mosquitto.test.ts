/**
 * The mosquitto helper (mosquitto.ts) does what the interoperability tests rely on, checked with
 * MQTT.js clients: MQTT 3.1.1 and 3.1, a password file (mosquitto_passwd's and our own hash
 * format) with the CONNACK code for a wrong or missing password, TLS verified against the test
 * CA with a required client certificate, a broker killed mid-session, a paused one.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { startMosquitto, mosquittoSkipReason, type Mosquitto } from './mosquitto.ts';
import { closeMqttClients, echoThrough, mqttClient } from './mqtt-clients.ts';

const TEST = { timeout: 30_000 };
const brokers: Mosquitto[] = [];
async function broker(...args: Parameters<typeof startMosquitto>): Promise<Mosquitto> {
  const b = await startMosquitto(...args);
  brokers.push(b);
  return b;
}

describe('mosquitto helper', { skip: mosquittoSkipReason() }, () => {
  afterEach(async () => {
    await closeMqttClients();
    await Promise.all(brokers.splice(0).map((b) => b.kill()));
  });

  test('MQTT 3.1.1 and MQTT 3.1 (MQIsdp) clients publish and receive through it', TEST, async () => {
    const b = await broker();
    const v4 = await mqttClient(`mqtt://127.0.0.1:${b.port}`, { protocolVersion: 4, clientId: 'v4' });
    assert.equal((await echoThrough(v4, 'demo/v4', 'hello 3.1.1')).toString(), 'hello 3.1.1');
    const v3 = await mqttClient(`mqtt://127.0.0.1:${b.port}`, { protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'v3' });
    assert.equal((await echoThrough(v3, 'demo/v3', 'hello 3.1', 2)).toString(), 'hello 3.1');
    assert.match(b.log(), /New client connected from 127\.0\.0\.1:\d+ as v3 \(p1, /, 'mosquitto saw protocol 3.1 (p1)');
    assert.match(b.log(), /as v4 \(p2, /);
  });

  for (const itself of [false, true]) {
    test(`password file (${itself ? 'written by the helper' : 'mosquitto_passwd'}): right password 0, wrong or none 5`, TEST, async () => {
      const b = await broker({ users: { dev1: 'secret-1', dev2: 'p"a,ss' }, writePasswordsItself: itself });
      const url = `mqtt://127.0.0.1:${b.port}`;
      const good = await mqttClient(url, { username: 'dev2', password: 'p"a,ss' });
      assert.equal((await echoThrough(good, 'auth', 'in')).toString(), 'in');
      // mosquitto 2.0 answers a wrong password on MQTT 3.1/3.1.1 with 5 (not authorised), not 4:
      // a module's +QMTCONN: <id>,0,5 against it.
      await assert.rejects(mqttClient(url, { username: 'dev1', password: 'wrong' }), { code: 5 });
      await assert.rejects(mqttClient(url), { code: 5 });
      await mqttClient(url, { username: 'dev1', password: 'secret-1' });
    });
  }

  test('TLS: the server certificate verifies against the test CA; a client certificate is required', TEST, async () => {
    const b = await broker({ tls: true, requireCertificate: true });
    const { ca, client, otherCa } = b.pki;
    const url = `mqtts://127.0.0.1:${b.tlsPort}`;
    const c = await mqttClient(url, { ca: ca.cert, cert: client.cert, key: client.key, servername: 'localhost' });
    assert.equal((await echoThrough(c, 'tls', 'over tls')).toString(), 'over tls');
    // No client certificate: mosquitto ends the handshake.
    await assert.rejects(mqttClient(url, { ca: ca.cert, servername: 'localhost' }));
    // Our side checks the broker too: another CA does not vouch for it (mosquitto sends its
    // chain, the test CA included, hence "self-signed in chain").
    await assert.rejects(mqttClient(url, { ca: otherCa.cert, cert: client.cert, key: client.key, servername: 'localhost' }), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    // The plain listener is still there, without certificates.
    await mqttClient(`mqtt://127.0.0.1:${b.port}`);
  });

  test('kill(): a connected client sees the connection drop; the port is free afterwards', TEST, async () => {
    const b = await broker();
    const c = await mqttClient(`mqtt://127.0.0.1:${b.port}`);
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    await b.kill();
    await closed;
    assert.equal(b.process.signalCode, 'SIGKILL');
    await assert.rejects(mqttClient(`mqtt://127.0.0.1:${b.port}`), /ECONNREFUSED/);
  });

  test('pause(): PINGREQ goes unanswered until resume()', TEST, async () => {
    const b = await broker();
    const socket = connect(b.port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'raw', keepalive: 60 }));
    await until(got, Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNACK, accepted
    b.pause();
    got.length = 0;
    socket.write(Buffer.from([0xc0, 0x00])); // PINGREQ
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(Buffer.concat(got), Buffer.alloc(0), 'a paused broker answers nothing');
    b.resume();
    await until(got, Buffer.from([0xd0, 0x00])); // PINGRESP
    destroy(socket);
  });
});

async function until(got: Buffer[], want: Buffer): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!Buffer.concat(got).equals(want)) {
    if (Date.now() > deadline) assert.fail(`wanted ${want.toString('hex')}, got ${Buffer.concat(got).toString('hex')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function destroy(socket: Socket): void {
  socket.destroy();
}
