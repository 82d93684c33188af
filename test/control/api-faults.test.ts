/**
 * Faults through the control API on a real `fc41d serve --control`, end to end: POST, GET and
 * DELETE round trip (module as an index); a dns-failure makes AT+QIOPEN to the name fail with
 * its result code and the cause in the trace; a reset-connections fault on an open socket's
 * peer gives `+QIURC: "closed",<id>`. (What each kind does is test/faults/'s business.)
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import type { AtHost } from '../helpers/at-host.ts';
import { cleanUp, host, WAIT_MS } from '../helpers/cli.ts';
import { type Api, serveControl } from './control-client.ts';

const TEST = { timeout: 60_000 };
let api: Api;
let base: string;
let h: AtHost;
let echo: Server;

before(async () => {
  echo = createServer((s) => s.on('error', () => {}).pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const served = await serveControl('--echo', 'off');
  ({ api, base } = served);
  h = await host(served.port);
  assert.deepEqual(await h.command('AT+QSTAAPINFO=Office,correct-horse', WAIT_MS), { lines: [], final: 'OK' });
  await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  const port = (echo.address() as { port: number }).port;
  const put = await api('PUT', '/api/world/hosts/echo.test', { address: '127.0.0.1', ports: { '7': port } });
  assert.deepEqual([put.status, put.json], [200, { 'echo.test': { address: '127.0.0.1', ports: { '7': port } } }]);
});
after(async () => {
  await cleanUp();
  echo.close();
});

test('POST, GET and DELETE /api/faults round trip; a bad kind, field or module is a 400 naming it', TEST, async () => {
  const added = await api('POST', '/api/faults', { kind: 'latency', host: 'echo.test', delayMs: 50, module: 0 });
  assert.equal(added.status, 201);
  assert.match(added.json.id, /^f\d+$/);
  assert.deepEqual({ ...added.json, id: 'ID', started: 'T' }, { kind: 'latency', host: 'echo.test', delayMs: 50, module: 0, id: 'ID', started: 'T', hits: 0 });
  const listed = await api('GET', '/api/faults');
  assert.deepEqual(listed.json.map((f: { id: string }) => f.id), [added.json.id]);
  assert.equal((await api('GET', `/api/faults/${added.json.id}`)).json.module, 0);
  assert.equal((await api('DELETE', `/api/faults/${added.json.id}`)).status, 204);
  assert.deepEqual((await api('GET', '/api/faults')).json, []);
  assert.equal((await api('DELETE', `/api/faults/${added.json.id}`)).status, 404);

  for (const [body, field] of [
    [{ kind: 'earthquake' }, 'kind'],
    [{ kind: 'udp-loss', rate: 2 }, 'rate'],
    [{ kind: 'refuse', host: 'x', colour: 'red' }, 'colour'],
    [{ kind: 'refuse', host: 'x', module: 3 }, 'module'],
    [{ kind: 'refuse', host: 'x', module: 'module 0' }, 'module'],
  ] as const) {
    const res = await api('POST', '/api/faults', body);
    assert.deepEqual([res.status, res.json.field], [400, field], JSON.stringify(body) + ' ' + res.text);
  }
  assert.deepEqual((await api('GET', '/api/faults')).json, [], 'nothing refused was started');
});

test('dns-failure through the API: AT+QIOPEN to the name fails with 551 and ENOTFOUND behind it; removed, it opens', TEST, async () => {
  const fault = (await api('POST', '/api/faults', { kind: 'dns-failure', host: 'echo.test' })).json;
  assert.equal((await h.command('AT+QIOPEN=0,"TCP","echo.test",7,0,0', WAIT_MS)).final, 'OK');
  await h.expect('\r\n+QIOPEN: 0,551\r\n', WAIT_MS);
  assert.equal((await api('GET', `/api/faults/${fault.id}`)).json.hits, 1);
  const trace = (await (await fetch(`${base}/api/trace?module=0`)).text()).trim().split('\n').map((l) => JSON.parse(l));
  const failure = trace.find((r) => r.failure);
  assert.ok(failure, 'the failure behind the result code is traced');
  assert.equal(failure.failure.result, 551);
  assert.equal(failure.failure.cause, 'ENOTFOUND');

  assert.equal((await api('DELETE', `/api/faults/${fault.id}`)).status, 204);
  assert.equal((await h.command('AT+QIOPEN=0,"TCP","echo.test",7,0,0', WAIT_MS)).final, 'OK');
  await h.expect('\r\n+QIOPEN: 0,0\r\n', WAIT_MS);
});

test('reset-connections through the API: the open socket to the host is reset, +QIURC: "closed",<id>', TEST, async () => {
  const sockets = (await api('GET', '/api/modules/0')).json.sockets;
  assert.deepEqual(sockets.map((s: { id: number; state: string }) => [s.id, s.state]), [[0, 'connected']], 'the socket the last test opened');
  const fault = await api('POST', '/api/faults', { kind: 'reset-connections', host: 'echo.test', port: 7 });
  assert.equal(fault.status, 201);
  await h.expect('\r\n+QIURC: "closed",0\r\n', WAIT_MS);
  assert.equal((await api('GET', `/api/faults/${fault.json.id}`)).json.hits, 1);
});

test('GET /api/modules/{i} shows an MQTT client and the server it opened', TEST, async () => {
  assert.equal((await h.command('AT+QMTOPEN=1,"broker.fc41d.local",1883', WAIT_MS)).final, 'OK');
  await h.expect('+QMTOPEN: 1,0\r\n', WAIT_MS);
  assert.deepEqual((await api('GET', '/api/modules/0')).json.mqtt, [{ id: 1, state: 'open', server: 'broker.fc41d.local:1883' }]);
});
