// Every protocol meets the faults because all go through dial(): MQTT (a dns-failure is
// +QMTOPEN's DNS code, a reset broker connection is +QMTSTAT) and HTTP (a refused server).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModuleFailure } from '../../src/feature/feature.ts';
import { mqttModule, openAndConnect, startBroker, T } from '../mqtt/at-rig.ts';
import { httpModule, testServer } from '../http/at-rig.ts';

test('MQTT: dns-failure → +QMTOPEN: 0,4 (ENOTFOUND); reset-connections on a live session → +QMTSTAT: 0,1', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  const seen: ModuleFailure[] = [];
  m.module.on('failure', (f) => seen.push(f));
  try {
    const dns = m.world.faults.add({ kind: 'dns-failure', host: 'broker.test' });
    m.host.send('AT+QMTOPEN=0,"broker.test",1883');
    await m.host.expect('\r\nOK\r\n\r\n+QMTOPEN: 0,4\r\n', T);
    assert.deepEqual(seen.map((f) => [f.feature, f.result, f.cause]), [['mqtt', 4, 'ENOTFOUND']]);
    m.world.faults.remove(dns.id);

    await openAndConnect(m, 0, 'faulty');
    m.world.faults.add({ kind: 'reset-connections', host: 'broker.test' });
    await m.host.expect('\r\n+QMTSTAT: 0,1\r\n', T);
  } finally {
    m.close();
    await broker.close();
  }
});

test('HTTP: a refused server → the socket-failure code, ECONNREFUSED behind it', async () => {
  const server = await testServer((_req, res) => res.end('hello'));
  const m = await httpModule(server);
  const seen: ModuleFailure[] = [];
  m.module.on('failure', (f) => seen.push(f));
  try {
    assert.equal((await m.at('AT+QHTTPCFG="url","http://web.test/x"')).final, 'OK');
    const refused = m.world.faults.add({ kind: 'refuse', host: 'web.test', port: 80 });
    m.host.send('AT+QHTTPGET=60');
    await m.host.expect(/\+QHTTPGET: 4\r\n/, T);
    assert.deepEqual(seen.map((f) => [f.feature, f.result, f.cause]), [['http', 4, 'ECONNREFUSED']]);
    m.world.faults.remove(refused.id);
    m.host.send('AT+QHTTPGET=60');
    await m.host.expect('+QHTTPGET: 0,200,5\r\n', T);
  } finally {
    m.close();
    await server.close();
  }
});
