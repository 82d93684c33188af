/**
 * The world through the control API on a real `fc41d serve --control`: GET /api/world, access
 * points added and removed as the module hears it, the hosts map, and the BLE peers (added,
 * signal, notify, write refused for a peripheral, disconnect, removed).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AtHost } from '../helpers/at-host.ts';
import { cleanUp, host, WAIT_MS } from '../helpers/cli.ts';
import { type Api, serveControl } from './control-client.ts';

const TEST = { timeout: 60_000 };
let api: Api;
let h: AtHost;

before(async () => {
  const served = await serveControl('--echo', 'off');
  api = served.api;
  h = await host(served.port);
});
after(cleanUp);

test('GET /api/world: time scale, access points, hosts map, BLE peers and advertisers', TEST, async () => {
  const world = (await api('GET', '/api/world')).json;
  assert.equal(world.timeScale, 1);
  assert.deepEqual(world.accessPoints.map((ap: { ssid: string }) => ap.ssid), ['Office', 'Guest', 'Lab-5', 'Neighbour']);
  assert.ok(world.hosts['broker.fc41d.local'], 'the built-in broker is in the hosts map');
  assert.deepEqual(world.ble.peers.map((p: { name: string }) => p.name), ['HRM-1']);
  const hrm = world.ble.advertisers.find((a: { name: string }) => a.name === 'HRM-1');
  assert.match(hrm.advData, /^([0-9a-f]{2})+$/, 'advertising data as hex');
});

test('an access point added through the API is joined; removed, the module loses it', TEST, async () => {
  const bad = await api('POST', '/api/world/access-points', { ssid: 'Cafe', security: 'OPEN', rssi: 5 });
  assert.deepEqual([bad.status, bad.json.field], [400, 'rssi']);
  const added = await api('POST', '/api/world/access-points', { ssid: 'Cafe', security: 'OPEN', rssi: -55 });
  assert.equal(added.status, 201);
  assert.match(added.json.bssid, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.deepEqual(await h.command('AT+QSTAAPINFO=Cafe', WAIT_MS), { lines: [], final: 'OK' });
  await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  assert.equal((await api('DELETE', '/api/world/access-points/Cafe')).status, 204);
  await h.expect('+QSTASTAT:WLAN_DISCONNECTED\r\n', WAIT_MS);
  assert.equal((await api('DELETE', '/api/world/access-points/Cafe')).status, 404);
});

test('PUT and DELETE /api/world/hosts/{name}', TEST, async () => {
  const put = await api('PUT', '/api/world/hosts/sensor.test', '"10.1.2.3"');
  assert.deepEqual([put.status, put.json], [200, { 'sensor.test': '10.1.2.3' }]);
  assert.equal((await api('GET', '/api/world')).json.hosts['sensor.test'], '10.1.2.3');
  const bad = await api('PUT', '/api/world/hosts/sensor.test', { address: 'nowhere' });
  assert.deepEqual([bad.status, bad.json.field], [400, 'address']);
  assert.equal((await api('PUT', '/api/world/hosts/sensor.test', '"not an address"')).status, 400);
  assert.equal((await api('DELETE', '/api/world/hosts/SENSOR.test')).status, 204, 'names in any case');
  assert.equal((await api('GET', '/api/world')).json.hosts['sensor.test'], undefined);
});

test('BLE peers: added, its signal changed, notify, a write refused for a peripheral, disconnect, removed', TEST, async () => {
  const peer = { name: 'Tag-7', services: [{ uuid: 'fff0', characteristics: [{ uuid: 'fff1', properties: ['read', 'notify'], value: { hex: '00' } }] }] };
  const added = await api('POST', '/api/world/ble/peers', peer);
  assert.equal(added.status, 201, added.text);
  assert.equal(added.json.name, 'Tag-7');
  assert.equal((await api('POST', '/api/world/ble/peers', peer)).status, 409, 'a second peer of that name');
  assert.equal((await api('POST', '/api/world/ble/peers', { name: 'X', colour: 1 })).json.field, 'colour');
  assert.deepEqual((await api('GET', '/api/world/ble/peers')).json.map((p: { name: string }) => p.name), ['HRM-1', 'Tag-7']);
  const patched = await api('PATCH', '/api/world/ble/peers/Tag-7', { rssi: -80 });
  assert.deepEqual([patched.status, patched.json.rssi], [200, -80]);
  assert.equal((await api('POST', '/api/world/ble/peers/Tag-7/notify', { uuid: 'fff1', data: { hex: '0102' } })).status, 204);
  const write = await api('POST', '/api/world/ble/peers/Tag-7/write', { uuid: 'fff1', data: 'hi' });
  assert.equal(write.status, 409, 'a peripheral has no central link to write on');
  assert.equal((await api('POST', '/api/world/ble/peers/Tag-7/notify', { uuid: 'fff1', data: { hex: 'abc' } })).json.field, 'data.hex');
  assert.equal((await api('POST', '/api/world/ble/peers/Tag-7/disconnect')).status, 204);
  assert.equal((await api('DELETE', '/api/world/ble/peers/Tag-7')).status, 204);
  assert.equal((await api('PATCH', '/api/world/ble/peers/Tag-7', { rssi: -80 })).status, 404);
});
