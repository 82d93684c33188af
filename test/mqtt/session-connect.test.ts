// MqttSession (src/mqtt/session.ts) opening and connecting, against aedes and the scripted broker
// on real sockets: §2.5.2 open results (no network 3, unresolvable name 4, refused and TLS
// failures -1), TLS through an SSL context, CONNECT as MQTT 3.1 and 3.1.1 with its settings,
// CONNACK refusals (§2.5.4 +QMTCONN 0,<code> then +QMTSTAT 4), a CONNACK that never comes (1 then
// +QMTSTAT 3, on the fake clock), and destroy() while a request is pending (no events, ever).
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import type { IConnectPacket } from 'mqtt-packet';
import { refusal } from '../helpers/aedes.ts';
import { pki } from '../ssl/certs.ts';
import { aedes, eventsNamed, mustConnect, mustOpen, next, rawBroker, sessionRig, settle, until } from './session-rig.ts';

/** An aedes whose preConnect records every CONNECT. */
async function recordingAedes(): Promise<{ port: number; connects: IConnectPacket[] }> {
  const connects: IConnectPacket[] = [];
  const broker = await aedes({
    hooks: {
      preConnect: (_client, packet, callback) => {
        connects.push(packet as IConnectPacket);
        callback(null, true);
      },
    },
  });
  return { port: broker.port, connects };
}

describe('open (§2.5.2)', () => {
  test('a broker on a name of the hosts map: 0, and server() says where', async () => {
    const broker = await aedes();
    const r = sessionRig({ hosts: { 'broker.test': { address: '127.0.0.1', ports: { 1883: broker.port } } } });
    const opened = next(r.session, 'opened');
    r.session.open('broker.test', 1883);
    assert.equal(r.session.state, 'opening');
    assert.deepEqual(r.session.server, { host: 'broker.test', port: 1883 });
    assert.deepEqual(await opened, [0]);
    assert.equal(r.session.state, 'open');
    assert.deepEqual(r.session.server, { host: 'broker.test', port: 1883 });
  });

  test('no station address: 3', async () => {
    const r = sessionRig();
    r.station.up = false;
    r.session.open('127.0.0.1', 1883);
    assert.deepEqual(await next(r.session, 'opened'), [3]);
    assert.equal(r.session.state, 'idle');
    assert.equal(r.session.server, null);
  });

  test('a name DNS does not know: 4; a host that is no name at all: 4', async () => {
    const r = sessionRig();
    r.session.open('no-such-host.invalid', 1883);
    assert.deepEqual(await next(r.session, 'opened'), [4], r.session.lastDetail);
    r.session.open('not a host!', 1883);
    assert.deepEqual(await next(r.session, 'opened'), [4], r.session.lastDetail);
  });

  test('a port nobody listens on: -1', async () => {
    const closed = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = sessionRig();
    r.session.open('127.0.0.1', port);
    assert.deepEqual(await next(r.session, 'opened'), [-1]);
    assert.match(r.session.lastDetail, /ECONNREFUSED/);
  });

  test('TLS through SSL context 2 (CA uploaded, verify 1): 0, and MQTT runs over it', async () => {
    const certs = pki();
    const broker = await aedes({ tls: certs.server });
    const r = sessionRig({ config: { ssl: { enable: 1, ctx: 2 } } });
    assert.ok(r.certs.put('CA', certs.ca.cert).ok);
    assert.ok(r.contexts.set(2, { verify: 1 }));
    const opened = next(r.session, 'opened');
    r.session.open('localhost', broker.port);
    assert.deepEqual(await opened, [0], r.session.lastDetail);
    const connected = next(r.session, 'connected');
    r.session.connect('tls-client');
    assert.deepEqual(await connected, [0, 0]);
  });

  test('TLS to a broker of another CA: -1 (the handshake fails)', async () => {
    const certs = pki();
    const broker = await aedes({ tls: certs.otherServer });
    const r = sessionRig({ config: { ssl: { enable: 1, ctx: 0 } } });
    assert.ok(r.certs.put('CA', certs.ca.cert).ok);
    assert.ok(r.contexts.set(0, { verify: 1 }));
    r.session.open('localhost', broker.port);
    assert.deepEqual(await next(r.session, 'opened'), [-1]);
    assert.match(r.session.lastDetail, /TLS handshake failed/);
  });

  test('TLS asked of a plain MQTT broker: -1', async () => {
    const broker = await aedes();
    const r = sessionRig({ config: { ssl: { enable: 1, ctx: 0 } } });
    r.session.open('127.0.0.1', broker.port);
    assert.deepEqual(await next(r.session, 'opened'), [-1]);
  });

  test('open() on a session that is not idle is a programming error', async () => {
    const broker = await aedes();
    const r = sessionRig();
    await mustOpen(r, broker.port);
    assert.throws(() => r.session.open('127.0.0.1', broker.port), /not idle/);
  });
});

describe('connect (§2.5.4)', () => {
  test('MQTT 3.1.1: protocol MQTT level 4, the settings of connect() time, username and password', async () => {
    const broker = await recordingAedes();
    const r = sessionRig();
    await mustOpen(r, broker.port);
    Object.assign(r.config, { keepalive: 77, cleanSession: 0 });
    const connected = next(r.session, 'connected');
    r.session.connect('client-311', 'user', 'pa"ss');
    assert.deepEqual(await connected, [0, 0]);
    const [c] = broker.connects;
    assert.equal(c!.protocolId, 'MQTT');
    assert.equal(c!.protocolVersion, 4);
    assert.equal(c!.clientId, 'client-311');
    assert.equal(c!.keepalive, 77);
    assert.equal(c!.clean, false);
    assert.equal(c!.username, 'user');
    assert.equal(c!.password?.toString(), 'pa"ss');
    assert.equal(c!.will, undefined);
  });

  test('MQTT 3.1: protocol MQIsdp level 3, and the will when its flag is 1', async () => {
    const broker = await recordingAedes();
    const r = sessionRig({ config: { version: 3, will: { flag: 1, qos: 1, retain: 1, topic: 'wills/x', message: 'gone' } } });
    await mustConnect(r, broker.port, 'client-31');
    const [c] = broker.connects;
    assert.equal(c!.protocolId, 'MQIsdp');
    assert.equal(c!.protocolVersion, 3);
    assert.equal(c!.clean, true);
    assert.equal(c!.keepalive, 120);
    assert.equal(c!.will?.topic, 'wills/x');
    assert.equal(c!.will?.payload.toString(), 'gone');
    assert.equal(c!.will?.qos, 1);
    assert.equal(c!.will?.retain, true);
  });

  for (const code of [4, 5] as const) {
    test(`CONNACK refused with ${code}: connected(0, ${code}) then stat 4, and the session is idle`, async () => {
      const broker = await aedes({
        hooks: { authenticate: (_c, username, password, done) => done(password?.toString() === 'right' ? null : refusal(code), true) },
      });
      const r = sessionRig();
      await mustOpen(r, broker.port);
      const stat = next(r.session, 'stat');
      r.session.connect('c', 'user', 'wrong');
      await stat;
      assert.deepEqual(
        r.events.slice(1).map((e) => e.slice(0, 3)),
        [
          ['connected', 0, code],
          ['stat', 4, `CONNACK refused the connection (return code ${code})`],
        ],
      );
      assert.equal(r.session.state, 'idle');
      // The right password on a new session of the same client works.
      await mustConnect(r, broker.port, 'c', 'user', 'right');
    });
  }

  test('no CONNACK within the delivery time: connected(1), then stat 3 and the socket closed (fake clock)', async () => {
    const broker = await rawBroker();
    broker.withhold.add('connack');
    const r = sessionRig({ config: { timeout: { deliverySeconds: 7, count: 3, report: 1 } } });
    await mustOpen(r, broker.port);
    r.session.connect('silent');
    await until(() => broker.of('connect').length === 1, 'CONNECT at the broker');
    r.clock.advance(6_999);
    await settle(50);
    assert.deepEqual(eventsNamed(r, 'connected'), []);
    r.clock.advance(1);
    assert.deepEqual(r.events.slice(1), [
      ['connected', 1],
      ['stat', 3, 'no CONNACK within the delivery time'],
    ]);
    assert.equal(r.session.state, 'idle');
    await until(() => broker.closed === 1, 'the broker sees the connection closed');
    assert.equal(broker.of('connect').length, 1, 'CONNECT is never sent twice on one connection');
  });

  test('connect() before open: connected(2), after the call returns', async () => {
    const r = sessionRig();
    let returned = false;
    const connected = next(r.session, 'connected');
    r.session.connect('x');
    returned = true;
    assert.deepEqual(await connected, [2]);
    assert.ok(returned);
  });
});

describe('destroy() with a request pending: nothing is reported, ever', () => {
  test('during open', async () => {
    const broker = await aedes();
    const r = sessionRig();
    r.session.open('127.0.0.1', broker.port);
    r.session.destroy();
    assert.equal(r.session.state, 'idle');
    await settle(200);
    assert.deepEqual(r.events, []);
    assert.equal(broker.sockets.size, 0, 'the dialled socket is not left open');
  });

  test('during connect (CONNACK withheld), and a CONNACK that arrives later changes nothing', async () => {
    const broker = await rawBroker();
    broker.withhold.add('connack');
    const r = sessionRig();
    await mustOpen(r, broker.port);
    r.session.connect('c');
    await until(() => broker.of('connect').length === 1, 'CONNECT at the broker');
    r.session.destroy();
    broker.send({ cmd: 'connack', returnCode: 0, sessionPresent: false });
    r.clock.advance(60_000);
    await until(() => broker.closed === 1, 'connection closed');
    await settle(50);
    assert.deepEqual(r.events.slice(1), []);
    assert.equal(r.session.state, 'idle');
  });
});
