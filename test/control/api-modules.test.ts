/**
 * The control API on a real `fc41d serve --control`: the modules' state and the hands on them
 * (reset, power cut and on, wake, AirKiss), an access point switched off as the joined host
 * hears it, 400s naming the field, 404s, /openapi.json and the dashboard at /.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AtHost } from '../helpers/at-host.ts';
import { cleanUp, host, WAIT_MS } from '../helpers/cli.ts';
import { type Api, serveControl } from './control-client.ts';

const TEST = { timeout: 60_000 };
let api: Api;
let base: string;
let h: AtHost;

before(async () => {
  const served = await serveControl('--echo', 'off');
  ({ api, base } = served);
  h = await host(served.port);
});
after(cleanUp);

test('GET /api/modules lists the module; PATCH Office {"up":false} gives the joined host +QSTASTAT:WLAN_DISCONNECTED', TEST, async () => {
  const before = await api('GET', '/api/modules');
  assert.equal(before.status, 200);
  assert.equal(before.json.length, 1);
  assert.deepEqual(
    { index: before.json[0].index, label: before.json[0].label, power: before.json[0].power, wifi: before.json[0].wifi, webcfg: before.json[0].webcfg },
    { index: 0, label: 'module 0', power: 'on', wifi: { state: 'down' }, webcfg: null },
  );
  assert.deepEqual(before.json[0].ble, { role: 0, state: 'NOINIT', address: 'c8478c420049' });

  assert.deepEqual(await h.command('AT+QSTAAPINFO=Office,correct-horse', WAIT_MS), { lines: [], final: 'OK' });
  await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  const joined = (await api('GET', '/api/modules/0')).json;
  assert.equal(joined.wifi.state, 'connected');
  assert.equal(joined.wifi.ssid, 'Office');
  assert.match(joined.wifi.ip, /^192\.168\.1\.\d+$/);

  const off = await api('PATCH', '/api/world/access-points/Office', { up: false });
  assert.equal(off.status, 200);
  assert.equal(off.json.up, false);
  assert.equal(off.json.ssid, 'Office');
  await h.expect('+QSTASTAT:WLAN_DISCONNECTED\r\n', WAIT_MS);
  assert.equal((await api('GET', '/api/world')).json.accessPoints.find((ap: { ssid: string }) => ap.ssid === 'Office').up, false);
  assert.equal((await api('PATCH', '/api/world/access-points/Office', { up: true, rssi: -60 })).json.rssi, -60);
  // The station rejoins by itself; let it finish, so its URCs do not land in a later test.
  await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
});

test('bad JSON, an unknown field and a bad value are 400s naming the field; unknown things are 404s', TEST, async () => {
  const badJson = await api('PATCH', '/api/world/access-points/Office', '{"up":');
  assert.deepEqual([badJson.status, badJson.json], [400, { error: 'bad JSON' }]);
  const unknown = await api('PATCH', '/api/world/access-points/Office', { up: false, colour: 'red' });
  assert.deepEqual([unknown.status, unknown.json.field], [400, 'colour']);
  const badValue = await api('PATCH', '/api/world/access-points/Office', { rssi: 'loud' });
  assert.deepEqual([badValue.status, badValue.json.field], [400, 'rssi']);
  // The world's own rule: an open AP has no password.
  const world = await api('PATCH', '/api/world/access-points/Office', { security: 'OPEN' });
  assert.deepEqual([world.status, world.json.field], [400, 'password']);
  assert.equal((await api('GET', '/api/world')).json.accessPoints.find((ap: { ssid: string }) => ap.ssid === 'Office').security, 'WPA2_AES_PSK', 'nothing changed');

  for (const [method, path] of [
    ['GET', '/api/modules/1'],
    ['GET', '/api/modules/x'],
    ['POST', '/api/modules/7/reset'],
    ['PATCH', '/api/world/access-points/Nowhere'],
    ['DELETE', '/api/world/hosts/nothing.test'],
    ['DELETE', '/api/faults/f999'],
    ['GET', '/api/nothing'],
  ]) {
    const res = await api(method!, path!, method === 'PATCH' ? { up: true } : undefined);
    assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
    assert.equal(typeof res.json.error, 'string');
  }
  const wrongMethod = await api('DELETE', '/api/modules');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'GET');
});

test('power-cut stops the module dead, power-on boots it from flash; reset reboots; wake and airkiss refuse when not waiting', TEST, async () => {
  assert.equal((await api('POST', '/api/modules/0/wake')).status, 409);
  assert.equal((await api('POST', '/api/modules/0/airkiss', { ssid: 'Office', key: 'correct-horse' })).status, 409);
  assert.equal((await api('POST', '/api/modules/0/airkiss', { ssid: 'Office', pin: 1 })).json.field, 'pin');

  assert.equal((await api('POST', '/api/modules/0/power-cut')).status, 204);
  assert.equal((await api('GET', '/api/modules/0')).json.power, 'off');
  h.send('AT');
  assert.equal(await h.collect(300), '', 'no answer without power');
  assert.equal((await api('POST', '/api/modules/0/reset')).status, 409, 'the reset pin does nothing without power');
  assert.equal((await api('POST', '/api/modules/0/power-on')).status, 204);
  await h.expect('\r\nready\r\n', WAIT_MS);
  assert.equal((await api('POST', '/api/modules/0/power-on')).status, 409);

  assert.equal((await api('POST', '/api/modules/0/reset')).status, 204);
  await h.expect('\r\nready\r\n', WAIT_MS);

  // AirKiss: AT+QAIRKISS=1 waits for the phone; the API is the phone.
  assert.equal((await h.command('AT+QAIRKISS=1', WAIT_MS)).final, 'OK');
  assert.equal((await api('POST', '/api/modules/0/airkiss', { ssid: 'Office', key: 'correct-horse' })).status, 204);
  await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);

  // Deep sleep, then the wake pin.
  assert.equal((await h.command('AT+QDEEPSLEEP', WAIT_MS)).final, 'OK');
  await waitFor(async () => (await api('GET', '/api/modules/0')).json.power === 'sleeping');
  assert.equal((await api('POST', '/api/modules/0/wake')).status, 204);
  await h.expect('\r\nready\r\n', WAIT_MS);
});

test('/openapi.json is OpenAPI 3.1 listing every path; / serves the dashboard', TEST, async () => {
  const doc = await api('GET', '/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.json.openapi, '3.1.0');
  for (const path of ['/api/modules', '/api/modules/{i}/power-cut', '/api/world/access-points/{ssid}', '/api/world/hosts/{name}', '/api/world/ble/peers/{name}/notify', '/api/faults', '/api/faults/{id}', '/api/trace', '/api/live']) {
    assert.ok(doc.json.paths[path], `lists ${path}`);
  }
  const patch = doc.json.paths['/api/world/access-points/{ssid}'].patch;
  assert.equal(patch.requestBody.content['application/json'].schema.additionalProperties, false);
  assert.ok(patch.requestBody.content['application/json'].schema.properties.up);

  const page = await fetch(base + '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(await page.text(), /<html/i);
  assert.equal((await fetch(base + '/dashboard.js')).status, 200);
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
