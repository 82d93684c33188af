/**
 * MQTT faults seen through the AT commands (§2.5, §3.5.2): acks withheld, a silent broker, a
 * missing or refusing CONNACK, a broker that dies, the will, persistent sessions and retained
 * messages — against aedes and a scripted broker (test/helpers/raw-broker.ts) on real sockets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { refusal } from '../helpers/aedes.ts';
import { startRawBroker } from '../helpers/raw-broker.ts';
import { clockedModule, connectedModule } from '../tcpip/helpers.ts';
import { mqttModule, openAndConnect, startBroker, T } from './at-rig.ts';
import { pki } from '../ssl/certs.ts';

test('PUBACK withheld: +QMTPUB: <id>,<msgid>,1,<n> per retransmission (DUP on the wire), then result 2', async () => {
  const broker = await startRawBroker();
  const m = await mqttModule(broker);
  try {
    broker.withhold.add('puback');
    await m.at('AT+QMTCFG="timeout",0,1,2,1');
    await openAndConnect(m, 0, 'retry');
    m.host.send('AT+QMTPUB=0,5,1,0,"t",2,"hi"');
    const text = await m.host.expect('+QMTPUB: 0,5,2\r\n', T);
    assert.match(text, /\r\n\+QMTPUB: 0,5,1,1\r\n\r\n\+QMTPUB: 0,5,1,2\r\n\r\n\+QMTPUB: 0,5,2\r\n$/);
    const sent = broker.of('publish');
    assert.deepEqual(sent.map((p) => [p.messageId, p.dup]), [[5, false], [5, true], [5, true]]);
    // The session lives on: the next publish with its ack goes through.
    broker.withhold.delete('puback');
    m.host.send('AT+QMTPUB=0,6,1,0,"t",2,"ok"');
    await m.host.expect('+QMTPUB: 0,6,0\r\n', T);
  } finally {
    m.close();
    await broker.close();
  }
});

test('no CONNACK: +QMTCONN: <id>,1, then +QMTSTAT: <id>,3', async () => {
  const broker = await startRawBroker();
  const m = await mqttModule(broker);
  try {
    broker.withhold.add('connack');
    await m.at('AT+QMTCFG="timeout",1,1,1,0');
    m.host.send('AT+QMTOPEN=1,"broker.test",1883');
    await m.host.expect('+QMTOPEN: 1,0\r\n', T);
    m.host.send('AT+QMTCONN=1,"silent"');
    assert.match(await m.host.expect('+QMTSTAT: 1,3\r\n', T), /\r\n\+QMTCONN: 1,1\r\n\r\n\+QMTSTAT: 1,3\r\n$/);
    assert.deepEqual(await m.at('AT+QMTCONN?'), { lines: [], final: 'OK' });
  } finally {
    m.close();
    await broker.close();
  }
});

test('a broker that stops answering PINGREQ: +QMTSTAT: <id>,2', async () => {
  const broker = await startRawBroker();
  const m = await mqttModule(broker);
  try {
    broker.withhold.add('pingresp');
    await m.at('AT+QMTCFG="keepalive",2,1');
    await m.at('AT+QMTCFG="timeout",2,1,1,0');
    await openAndConnect(m, 2, 'pinger');
    await m.host.expect('+QMTSTAT: 2,2\r\n', T);
    assert.ok(broker.of('pingreq').length >= 1, 'PINGREQ went out');
    assert.equal(broker.of('connect')[0].keepalive, 1);
  } finally {
    m.close();
    await broker.close();
  }
});

test('a refusing CONNACK (wrong password): +QMTCONN: <id>,0,4 then +QMTSTAT: <id>,4', async () => {
  const broker = await startBroker({
    hooks: {
      authenticate: (_client, user, password, done) =>
        user === 'dev' && password?.toString() === 'right' ? done(null, true) : done(refusal(4), false),
    },
  });
  const m = await mqttModule(broker);
  try {
    m.host.send('AT+QMTOPEN=0,"broker.test",1883');
    await m.host.expect('+QMTOPEN: 0,0\r\n', T);
    m.host.send('AT+QMTCONN=0,"c","dev","wrong"');
    assert.match(await m.host.expect('+QMTSTAT: 0,4\r\n', T), /\r\n\+QMTCONN: 0,0,4\r\n\r\n\+QMTSTAT: 0,4\r\n$/);
    await openAndConnect(m, 0, 'c', ',"dev","right"');
  } finally {
    m.close();
    await broker.close();
  }
});

test('the broker dies mid-session: +QMTSTAT: <id>,1, and the client can open again', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  try {
    await openAndConnect(m, 4, 'victim');
    broker.dropClients();
    await m.host.expect('+QMTSTAT: 4,1\r\n', T);
    await openAndConnect(m, 4, 'victim');
  } finally {
    m.close();
    await broker.close();
  }
});

test('the will: published when the module dies, not on AT+QMTDISC', async () => {
  const broker = await startBroker();
  const watcher = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'watcher' });
  const wills: string[] = [];
  watcher.on('message', (topic, payload) => wills.push(`${topic}=${payload}`));
  await watcher.subscribeAsync('dead/#', { qos: 1 });
  const polite = await mqttModule(broker);
  const dying = await mqttModule(broker);
  try {
    await polite.at('AT+QMTCFG="will",0,1,1,0,"dead/polite","gone"');
    await openAndConnect(polite, 0, 'polite');
    polite.host.send('AT+QMTDISC=0');
    await polite.host.expect('+QMTDISC: 0,0\r\n', T);
    await dying.at('AT+QMTCFG="will",0,1,1,0,"dead/dying","bye"');
    await openAndConnect(dying, 0, 'dying');
    dying.close(); // power off: the connection drops without DISCONNECT
    for (let i = 0; i < 300 && wills.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(wills, ['dead/dying=bye']);
  } finally {
    polite.close();
    await watcher.endAsync(true);
    await broker.close();
  }
});

test('session 0: subscriptions and queued QoS 1 messages survive a reconnect; retained messages arrive on subscribe', async () => {
  const broker = await startBroker();
  const outside = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'outside' });
  const m = await mqttModule(broker);
  try {
    await outside.publishAsync('state/lamp', 'on', { qos: 1, retain: true });
    await m.at('AT+QMTCFG="session",0,0');
    await openAndConnect(m, 0, 'persistent');
    m.host.send('AT+QMTSUB=0,1,"state/#",1');
    await m.host.expect('+QMTSUB: 0,1,0,1\r\n', T);
    await m.host.expect(/\+QMTRECV: 0,\d+,"state\/lamp",2,"on"\r\n/, T);
    m.host.send('AT+QMTDISC=0');
    await m.host.expect('+QMTDISC: 0,0\r\n', T);
    await outside.publishAsync('state/door', 'open while away', { qos: 1 });
    await openAndConnect(m, 0, 'persistent');
    await m.host.expect(/\+QMTRECV: 0,\d+,"state\/door",15,"open while away"\r\n/, T);
  } finally {
    await outside.endAsync(true);
    m.close();
    await broker.close();
  }
});

test('TLS: a CA uploaded with AT+QSSLCERT, verification both ways with a client certificate, through AT+QMTCFG="ssl"', async () => {
  const certs = pki();
  const broker = await startBroker({ tls: { ...certs.server, requestCert: true, rejectUnauthorized: true, ca: certs.ca.cert } });
  // secure.test is a name on the broker's certificate.
  const m = await connectedModule({ 'secure.test': { address: '127.0.0.1', ports: { '8883': broker.port } } });
  try {
    for (const [type, pem] of [['CA', certs.ca.cert], ['User Cert', certs.client.cert], ['User Key', certs.client.key]] as const) {
      m.host.send(`AT+QSSLCERT="${type}",2,${pem.length}`);
      await m.host.expect('\r\nCONNECT\r\n', T);
      m.host.write(pem);
      await m.host.expect('\r\nOK\r\n', T);
    }
    assert.deepEqual(await m.at('AT+QSSLCFG="verify",2,2'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('AT+QMTCFG="ssl",0,1,2'), { lines: [], final: 'OK' });
    m.host.send('AT+QMTOPEN=0,"secure.test",8883');
    await m.host.expect('+QMTOPEN: 0,0\r\n', T);
    m.host.send('AT+QMTCONN=0,"tls-dev"');
    await m.host.expect('+QMTCONN: 0,0,0\r\n', T);
    m.host.send('AT+QMTSUB=0,1,"echo",0');
    await m.host.expect('+QMTSUB: 0,1,0,0\r\n', T);
    m.host.send('AT+QMTPUB=0,0,0,0,"echo",6,"secret"');
    await m.host.expect(/\+QMTRECV: 0,0,"echo",6,"secret"\r\n/, T);
    // Without the CA the handshake fails: -1.
    m.host.send('AT+QMTDISC=0');
    await m.host.expect('+QMTDISC: 0,0\r\n', T);
    assert.deepEqual(await m.at('AT+QSSLCERT="CA",0'), { lines: [], final: 'OK' });
    m.host.send('AT+QMTOPEN=0,"secure.test",8883');
    await m.host.expect('+QMTOPEN: 0,-1\r\n', T);
  } finally {
    m.close();
    await broker.close();
  }
});

test('a host that never sends the prompt-form payload: ERROR when the wait ends, nothing half-sent reaches the broker', async () => {
  const broker = await startRawBroker();
  const m = await clockedModule({ 'broker.test': { address: '127.0.0.1', ports: { '1883': broker.port } } });
  const { clock, host } = m;
  try {
    host.send('AT+QMTOPEN=0,"broker.test",1883');
    await host.expect('+QMTOPEN: 0,0\r\n', T);
    host.send('AT+QMTCONN=0,"slow"');
    await host.expect('+QMTCONN: 0,0,0\r\n', T);
    host.send('AT+QMTPUB=0,1,1,0,"t",10');
    await host.expect('\r\n> ', T);
    host.write('12345'); // half the payload, then nothing
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(10_000);
    assert.equal(await host.expect('\r\nERROR\r\n', T), '\r\nERROR\r\n');
    assert.equal(broker.of('publish').length, 0, 'no PUBLISH on the wire');
    host.send('AT+QMTPUB=0,2,1,0,"t",2,"ok"');
    await host.expect('+QMTPUB: 0,2,0\r\n', T);
    assert.deepEqual(broker.of('publish').map((p) => p.payload.toString()), ['ok']);
  } finally {
    m.close();
    await broker.close();
  }
});
