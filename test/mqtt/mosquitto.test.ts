/**
 * Interoperability through the AT commands against Debian's mosquitto (test/helpers/mosquitto.ts):
 * example 4.5's exchange, a message from outside, inline JSON and the prompt form, QoS 2, buffer
 * mode, MQTT 3.1, a password file (a wrong password reported with its CONNACK code), TLS through an
 * uploaded CA with a client certificate, +QMTSTAT when the broker dies, the will when the module dies.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { mosquittoSkipReason, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { connectedModule } from '../tcpip/helpers.ts';
import { T } from './at-rig.ts';

const TEST = { timeout: 40_000 };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function broker(...args: Parameters<typeof startMosquitto>): Promise<Mosquitto> {
  const b = await startMosquitto(...args);
  cleanups.push(() => b.kill());
  return b;
}

/** A joined module whose hosts map names mosquitto as the manual's broker (and `secure.test` for TLS). */
async function moduleFor(b: Mosquitto) {
  const m = await connectedModule({
    '220.180.239.212': { address: '127.0.0.1', ports: { '8306': b.port } },
    'secure.test': { address: '127.0.0.1', ports: { '8883': b.tlsPort ?? 1 } },
  });
  cleanups.push(() => m.close());
  return m;
}

async function outside(b: Mosquitto, clientId: string, extra: object = {}): Promise<MqttClient> {
  const c = await connectAsync(`mqtt://127.0.0.1:${b.port}`, { clientId, ...extra });
  cleanups.push(() => c.endAsync(true));
  return c;
}

type M = Awaited<ReturnType<typeof moduleFor>>;
async function openConnect(m: M, id: number, login = ''): Promise<void> {
  m.host.send(`AT+QMTOPEN=${id},"220.180.239.212",8306`);
  assert.equal(await m.host.expect(`+QMTOPEN: ${id},0\r\n`, T), `\r\nOK\r\n\r\n+QMTOPEN: ${id},0\r\n`);
  m.host.send(`AT+QMTCONN=${id},"client${id}"${login}`);
  assert.equal(await m.host.expect(`+QMTCONN: ${id},0,0\r\n`, T), `\r\nOK\r\n\r\n+QMTCONN: ${id},0,0\r\n`);
}

describe('the module against mosquitto', { skip: mosquittoSkipReason() }, () => {
  test('example 4.5, a message from outside, inline JSON, the prompt form and QoS 2, delivered exactly', TEST, async () => {
    const b = await broker();
    const m = await moduleFor(b);
    const watcher = await outside(b, 'watcher');
    const seen: string[] = [];
    watcher.on('message', (topic, payload) => seen.push(`${topic}=${payload.toString('latin1')}`));
    await watcher.subscribeAsync('up', { qos: 2 });
    assert.deepEqual(await m.at('AT+QMTCFG="version",1,4'), { lines: [], final: 'OK' });
    await openConnect(m, 1);
    m.host.send('AT+QMTSUB=1,1,"quectel",1');
    assert.equal(await m.host.expect('+QMTSUB: 1,1,0,1\r\n', T), '\r\nOK\r\n\r\n+QMTSUB: 1,1,0,1\r\n');
    m.host.send('AT+QMTPUB=1,1,1,0,"quectel",3,"123"');
    await m.host.expect(/\+QMTRECV: 1,\d+,"quectel",3,"123"\r\n/, T);
    await watcher.publishAsync('quectel', 'from "outside", with\r\nlines', { qos: 1 });
    await m.host.expect(/\+QMTRECV: 1,\d+,"quectel",27,"from "outside", with\r\nlines"\r\n/, T);
    const json = '{"t":21.5,"s":"a \\"b\\", c"}';
    m.host.send(`AT+QMTPUB=1,2,1,0,"up",${Buffer.byteLength(json)},"${json}"`);
    await m.host.expect('+QMTPUB: 1,2,0\r\n', T);
    const raw = 'x\r\n"y",z\x00';
    m.host.send(`AT+QMTPUB=1,3,2,0,"up",${raw.length}`);
    await m.host.expect('\r\n> ', T);
    m.host.write(raw);
    await m.host.expect('+QMTPUB: 1,3,0\r\n', T);
    for (let i = 0; i < 300 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, [`up=${json}`, `up=${raw}`]);
    // QoS 2 towards the module: PUBREC/PUBREL/PUBCOMP, delivered once.
    m.host.send('AT+QMTSUB=1,4,"down",2');
    await m.host.expect('+QMTSUB: 1,4,0,2\r\n', T);
    await watcher.publishAsync('down', 'exactly once', { qos: 2 });
    const text = await m.host.expect(/\+QMTRECV: 1,\d+,"down",12,"exactly once"\r\n/, T);
    assert.equal(text.match(/exactly once/g)?.length, 1);
    assert.equal(await m.host.collect(200), '', 'no second delivery');
    // Buffer mode.
    assert.deepEqual(await m.at('AT+QMTCFG="recv mode",1,1'), { lines: [], final: 'OK' });
    await watcher.publishAsync('quectel', 'kept', { qos: 1 });
    await m.host.expect('+QMTRECV: 1,0\r\n', T);
    const read = await m.at('AT+QMTRECV=1');
    assert.match(read.lines.join('\n'), /^\+QMTRECV: 1,\d+,"quectel",4,"kept"$/);
    m.host.send('AT+QMTDISC=1');
    await m.host.expect('+QMTDISC: 1,0\r\n', T);
  });

  test('MQTT 3.1, and a password file: a wrong password is reported with mosquitto\'s CONNACK code', TEST, async () => {
    const b = await broker({ users: { dev: 'right' } });
    const m = await moduleFor(b);
    assert.deepEqual(await m.at('AT+QMTCFG="version",0,3'), { lines: [], final: 'OK' });
    m.host.send('AT+QMTOPEN=0,"220.180.239.212",8306');
    await m.host.expect('+QMTOPEN: 0,0\r\n', T);
    m.host.send('AT+QMTCONN=0,"c0","dev","wrong"');
    // mosquitto 2 answers a wrong password with 5 (not authorised).
    assert.match(await m.host.expect('+QMTSTAT: 0,4\r\n', T), /\r\n\+QMTCONN: 0,0,5\r\n\r\n\+QMTSTAT: 0,4\r\n$/);
    await openConnect(m, 0, ',"dev","right"');
    // mosquitto writes its log when it gets round to it: wait for the line.
    for (let i = 0; i < 200 && !/as client0 \(/.test(b.log()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(b.log(), /as client0 \(p1, /, 'mosquitto saw MQTT 3.1 (protocol level 3)');
  });

  test('TLS through an uploaded CA with a client certificate', TEST, async () => {
    const b = await broker({ tls: true, requireCertificate: true });
    const m = await moduleFor(b);
    for (const [type, pem] of [['CA', b.pki.ca.cert], ['User Cert', b.pki.client.cert], ['User Key', b.pki.client.key]] as const) {
      m.host.send(`AT+QSSLCERT="${type}",2,${pem.length}`);
      await m.host.expect('\r\nCONNECT\r\n', T);
      m.host.write(pem);
      await m.host.expect('\r\nOK\r\n', T);
    }
    await m.at('AT+QSSLCFG="verify",3,2');
    await m.at('AT+QMTCFG="ssl",5,1,3');
    m.host.send('AT+QMTOPEN=5,"secure.test",8883');
    await m.host.expect('+QMTOPEN: 5,0\r\n', T);
    m.host.send('AT+QMTCONN=5,"tls"');
    await m.host.expect('+QMTCONN: 5,0,0\r\n', T);
    m.host.send('AT+QMTSUB=5,1,"s",0');
    await m.host.expect('+QMTSUB: 5,1,0,0\r\n', T);
    m.host.send('AT+QMTPUB=5,0,0,0,"s",2,"ok"');
    await m.host.expect(/\+QMTRECV: 5,0,"s",2,"ok"\r\n/, T);
  });

  test('+QMTSTAT when mosquitto dies; the will when the module dies, not on AT+QMTDISC', TEST, async () => {
    const b = await broker();
    const watcher = await outside(b, 'will-watcher');
    const wills: string[] = [];
    watcher.on('message', (topic, payload) => wills.push(`${topic}=${payload}`));
    await watcher.subscribeAsync('dead/#', { qos: 1 });
    const polite = await moduleFor(b);
    await polite.at('AT+QMTCFG="will",0,1,1,0,"dead/polite","gone"');
    await openConnect(polite, 0);
    polite.host.send('AT+QMTDISC=0');
    await polite.host.expect('+QMTDISC: 0,0\r\n', T);
    const dying = await moduleFor(b);
    await dying.at('AT+QMTCFG="will",2,1,1,0,"dead/dying","bye"');
    await openConnect(dying, 2);
    dying.close();
    for (let i = 0; i < 300 && wills.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(wills, ['dead/dying=bye']);
    const survivor = await moduleFor(b);
    await openConnect(survivor, 3);
    await b.kill();
    await survivor.host.expect('+QMTSTAT: 3,1\r\n', T);
  });
});
