// The AT client driving MQTT through the module to a real broker (aedes in-process): open,
// connect, subscribe, publish with the prompt form, and the message back as a typed +QMTRECV.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startAedes } from '../helpers/aedes.ts';
import { cleanUp, client, joinOffice, later, module, world } from './helpers.ts';

afterEach(cleanUp);

test('MQTT: +QMTOPEN, +QMTCONN, +QMTSUB, a prompt-form publish, and +QMTRECV with its raw payload', async () => {
  const broker = await startAedes();
  later(() => broker.close());
  const m = module({ world: world({ 'broker.test': { address: '127.0.0.1', ports: { '1883': broker.port } } }) });
  const c = await client({ module: m });
  await joinOffice(c);

  await c.expectOk('AT+QMTOPEN=0,"broker.test",1883');
  assert.deepEqual((await c.waitUrc('+QMTOPEN: 0')).params, ['0', '0']);
  await c.expectOk('AT+QMTCONN=0,"client-test-1"');
  assert.equal((await c.waitUrc('+QMTCONN: 0')).line, '+QMTCONN: 0,0,0');
  await c.expectOk('AT+QMTSUB=0,1,"fleet/+/cmd",1');
  assert.deepEqual((await c.waitUrc('+QMTSUB: 0')).params, ['0', '1', '0', '1']);

  // A payload with a quote, commas and a CRLF: the URC's <len> says where it ends.
  const payload = '{"on":true,\r\n"level":"3,4"}';
  const pub = await c.sendData(`AT+QMTPUB=0,2,1,0,"fleet/7/cmd",${Buffer.byteLength(payload)}`, payload);
  assert.equal(pub.final, 'OK');
  const [recv, puback] = await Promise.all([c.waitUrc('+QMTRECV'), c.waitUrc('+QMTPUB: 0,2')]);
  assert.equal(puback.params[2], '0');
  assert.equal(recv.name, '+QMTRECV');
  assert.deepEqual(recv.params.slice(0, 4), ['0', recv.params[1], 'fleet/7/cmd', String(Buffer.byteLength(payload))]);
  assert.equal(recv.params[4], payload);
  assert.equal(recv.data?.toString(), payload);

  // A message from another client of the broker.
  const next = c.waitUrc('+QMTRECV', { match: (u) => u.params[2] === 'fleet/9/cmd' });
  broker.aedes.publish({ cmd: 'publish', topic: 'fleet/9/cmd', payload: Buffer.from('reboot'), qos: 0, retain: false, dup: false }, () => {});
  const u = await next;
  assert.equal(u.params[4], 'reboot');
  assert.equal((await c.command('AT+QVERSION')).final, 'OK');
  await c.expectOk('AT+QMTDISC=0');
  assert.deepEqual((await c.waitUrc('+QMTDISC: 0')).params, ['0', '0']);
});
