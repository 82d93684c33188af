/**
 * A module against the world file's virtual peers (src/world/ble/peer*.ts): a central module
 * reading a heart-rate sensor's notifications and a device's readable, echoing characteristic;
 * the sensor leaving range; a phone configuring Wi-Fi on a module in role 3 (issue 12, item 4).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitLines } from '../helpers/at-host.ts';
import { T } from '../helpers/wifi.ts';
import { BLE_1, bleWorld, expectAt, expectRaw, until, useBleModules } from './rig.ts';

const { start } = useBleModules();


const SENSOR = {
  name: 'HRM-1',
  address: 'd0:12:34:56:78:9a',
  addressType: 1,
  services: [
    { uuid: '180d', characteristics: [{ uuid: '2a37', properties: ['read', 'notify'], notify: { everyMs: 1000, values: ['0048', '0049', '004a'], loop: false } }] },
    { uuid: 'ffe0', characteristics: [{ uuid: 'ffe1', properties: ['read', 'write', 'notify'], value: 'ready', onWrite: 'echo' }] },
  ],
};

test('a central module finds a virtual heart-rate sensor, gets its notifications raw, reads, writes and hears the echo', async () => {
  const world = bleWorld({ ble: { peers: [SENSOR] } });
  const sensor = world.ble.peer('HRM-1');
  const b = await start(world);
  await expectAt(b, 'AT+QBLEINIT=1');
  await expectAt(b, 'AT+QBLESCAN=2,1000'); // mode 2: the advertising data and scan response too
  const heard = splitLines(await b.host.expect(/\r\n\+QBLESCAN:[^\r]*\r\n/, T))[0];
  assert.match(heard, /^\+QBLESCAN:HRM-1,1,d0123456789a,([0-9a-f]{2})+$/);
  assert.ok(heard.includes(Buffer.from('HRM-1').toString('hex')), 'the name is in the data');
  await expectAt(b, 'AT+QBLECONN=1,d0:12:34:56:78:9a');
  const lines = splitLines(await b.host.expect('ffe1\r\n', T));
  assert.deepEqual(lines.slice(0, 2), ['+QBLEMTU:<247>', '+QBLESTAT:CONNECTED']); // min(250, the sensor's 247)
  assert.ok(lines.some((l) => /^\+QBLEINFO: \d+ 2a37$/.test(l)), lines.join('|'));
  // Subscribed at connection: the readings come raw, in order.
  await expectRaw(b.host, Buffer.from('00480049004a', 'hex').toString('latin1'));
  await expectAt(b, 'AT+QBLEGATTCRD=ffe1');
  await expectRaw(b.host, 'ready');
  await expectAt(b, 'AT+QBLEGATTCWR=ffe1,ping');
  await expectRaw(b.host, 'ping'); // the device echoes writes as notifications
  assert.deepEqual(sensor.received.map((r) => [r.uuid, r.data.toString()]), [['ffe1', 'ping']]);
  // 2.2.16: notifications off, then nothing more comes from that characteristic.
  await expectAt(b, 'AT+QBLEGATTCNTFCFG=ffe1,0');
  await expectAt(b, 'AT+QBLEGATTCWR=ffe1,quiet');
  await until(() => sensor.received.length === 2); // the write arrived (and its echo was not sent)
  await expectAt(b, 'AT+QBLEGATTCNTFCFG=2a00,1', 'ERROR'); // cannot notify
  await expectAt(b, 'AT+QBLEGATTCNTFCFG=ffe1,1');
  sensor.notify('ffe1', 'loud');
  await expectRaw(b.host, 'loud');
  assert.deepEqual(sensor.received.map((r) => r.data.toString()), ['ping', 'quiet']);
  // The sensor leaves range: the link times out (supervision timeout, scaled).
  sensor.setRssi(-95);
  assert.equal(await b.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
  assert.deepEqual(await b.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:DISCONNECTED'], final: 'OK' });
});

test('a phone peer configures Wi-Fi on a module in role 3 with AT+QSTAAPINFODEF and gets the answer notified', async () => {
  const phone = {
    name: 'Phone',
    role: 'central',
    connect: { to: 'Quec_FC41D', subscribe: ['ff02'], writes: [{ uuid: 'ff01', data: 'AT+QSTAAPINFODEF=Office,correct-horse' }] },
  };
  const world = bleWorld({ ble: { peers: [phone] } });
  const a = await start(world, { mac: 'c8:47:8c:42:00:4a' });
  await expectAt(a, 'AT+QBLENAME=Quec_FC41D');
  await expectAt(a, 'AT+QBLEINIT=3');
  assert.equal(await a.host.expect('GOT_IP\r\n', T), '\r\n+QBLESTAT:CONNECTED\r\n\r\n+QSTASTAT:WLAN_CONNECTED\r\n\r\n+QSTASTAT:GOT_IP\r\n');
  const peer = world.ble.peer('Phone');
  assert.equal(peer.link?.peripheral.address, BLE_1);
  const notified = () => Buffer.concat(peer.received.filter((r) => r.uuid === 'ff02').map((r) => r.data)).toString();
  await until(() => notified().includes('GOT_IP'));
  assert.equal(notified(), 'AT+QSTAAPINFODEF=Office,correct-horseOK\r\n+QSTASTAT:WLAN_CONNECTED\r\n+QSTASTAT:GOT_IP\r\n');
  // AT+QSTAAPINFODEF saved the AP: after a reset the module joins it by itself (and BLE is NOINIT again).
  await expectAt(a, 'AT+QRST');
  await a.host.expect('\r\nready\r\n', T);
  await a.host.expect('+QSTASTAT:GOT_IP\r\n', T);
  assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:NOINIT'], final: 'OK' });
});
