// The station (§2.1.13–2.1.17, 2.1.22–2.1.23, URC §3.1.1) through the AT interface: joining
// (scan, strongest audible AP, key check, association, DHCP), the failure reports and their
// retries, leaving, DHCP off with a static address, and what a reset keeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessPointInput } from '../../src/index.ts';
import { CONNECTED, DISCONNECTED, GOT_IP, lines, makeWorld, NO_AP, OK, silence, T, useModules, ZEROS } from '../helpers/wifi.ts';

const { start } = useModules({ macPrefix: '02:5a:00:00:00:', labelPrefix: 'sta' });

const HOME: AccessPointInput = { ssid: 'home', password: 'password1', rssi: -55, channel: 3, bssid: '02:00:00:00:00:01' };

test('a join answers OK at once, then WLAN_CONNECTED and GOT_IP with a lease from the pool', async () => {
  const m = await start(makeWorld([HOME]));
  assert.deepEqual(await m.at('AT+QSTAST'), { lines: ['+QSTAST: STATION_DOWN'], final: 'OK' });
  assert.deepEqual(await m.at('AT+QSTAAPINFO=home,password1'), OK);
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual(await m.at('AT+QGETIP=station'), {
    lines: ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1'],
    final: 'OK',
  });
  assert.deepEqual(await m.at('AT+QSTAST'), { lines: ['+QSTAST: STATION_UP'], final: 'OK' });
  assert.deepEqual(await m.at('AT+QGETWIFISTATE'), {
    lines: ['+QGETWIFISTATE:ssid=home,bssid=02:00:00:00:00:01,rssi=-55,channel=3,cipher_type=WPA2_AES_PSK'],
    final: 'OK',
  });
  await silence(m.host);
});

test('the radio steps take their time: scan, association, then the AP\'s DHCP delay', async () => {
  // timeScale 0.1: scan 20 ms + association 10 ms, DHCP 3000 ms × 0.1 = 300 ms.
  const m = await start(makeWorld([{ ...HOME, dhcp: { delayMs: 3000 } }], 0.1));
  const t0 = performance.now();
  await m.at('AT+QSTAAPINFO=home,password1');
  await m.host.expect(CONNECTED, T);
  const connectedAt = performance.now() - t0;
  await m.host.expect(GOT_IP, T);
  const gotIpAt = performance.now() - t0;
  assert.ok(connectedAt >= 25, `associated after ${connectedAt} ms`);
  assert.ok(gotIpAt - connectedAt >= 280, `DHCP took ${gotIpAt - connectedAt} ms`);
});

test('the strongest audible AP with the SSID is joined; down and out-of-range ones are not', async () => {
  const m = await start(
    makeWorld([
      { ssid: 'mesh', password: 'password1', rssi: -70, channel: 1, bssid: '02:00:00:00:00:01' },
      { ssid: 'mesh', password: 'password1', rssi: -45, channel: 11, bssid: '02:00:00:00:00:02', dhcp: { gateway: '10.0.2.1' } },
      { ssid: 'mesh', password: 'password1', rssi: -20, channel: 6, bssid: '02:00:00:00:00:03', up: false },
      { ssid: 'other', password: 'password1', rssi: -10, channel: 6, bssid: '02:00:00:00:00:04' },
    ]),
  );
  await m.at('AT+QSTAAPINFO=mesh,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETWIFISTATE')).lines, [
    '+QGETWIFISTATE:ssid=mesh,bssid=02:00:00:00:00:02,rssi=-45,channel=11,cipher_type=WPA2_AES_PSK',
  ]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:10.0.2.100,gateway:10.0.2.1,mask:255.255.255.0,dns:10.0.2.1']);
});

test('SSIDs are compared exactly (case matters)', async () => {
  const m = await start(makeWorld([HOME]));
  await m.at('AT+QSTAAPINFO=HOME,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
});

test('-90 dBm is still in range; -91 dBm is not', async () => {
  const w = makeWorld([
    { ssid: 'edge', security: 'OPEN', rssi: -90, bssid: '02:00:00:00:00:01' },
    { ssid: 'beyond', security: 'OPEN', rssi: -91, bssid: '02:00:00:00:00:02' },
  ]);
  const m = await start(w);
  await m.at('AT+QSTAAPINFO=beyond');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  await m.at('AT+QSTAAPINFO=edge');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('no AP: SCAN_NO_AP once, retried silently; a new join reports again', async () => {
  const m = await start(makeWorld([HOME]));
  assert.deepEqual(await m.at('AT+QSTAAPINFO=nowhere,password1'), OK);
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  await silence(m.host);
  assert.deepEqual(await m.at('AT+QSTAST'), { lines: ['+QSTAST: STATION_DOWN'], final: 'OK' });
  assert.equal((await m.at('AT+QGETWIFISTATE')).final, 'ERROR');
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, [ZEROS]);
  await m.at('AT+QSTAAPINFO=nowhere,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  await silence(m.host);
});

test('wrong key, no key, or a key for an OPEN AP: WLAN_DISCONNECTED once, retried silently', async () => {
  const m = await start(makeWorld([HOME, { ssid: 'cafe', security: 'OPEN', bssid: '02:00:00:00:00:02' }]));
  for (const join of ['AT+QSTAAPINFO=home,password2', 'AT+QSTAAPINFO=home', 'AT+QSTAAPINFO=cafe,password1']) {
    assert.deepEqual(await m.at(join), OK, join);
    assert.deepEqual(await lines(m.host, 1), [DISCONNECTED], join);
    await silence(m.host);
    assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN'], join);
  }
  // The right key for each, and an empty key given for the OPEN AP counts as none.
  await m.at('AT+QSTAAPINFO=cafe,');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 3), [DISCONNECTED, CONNECTED, GOT_IP]);
});

test('the failure kind changing is reported: SCAN_NO_AP, then the AP appears with another key', async () => {
  const w = makeWorld([]);
  const m = await start(w);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  w.addAccessPoint({ ...HOME, password: 'different' });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await silence(m.host);
  w.updateAccessPoint(HOME.bssid!, { password: 'password1' });
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('joining again while connected leaves first (WLAN_DISCONNECTED), then joins', async () => {
  const m = await start(makeWorld([HOME, { ssid: 'cafe', security: 'OPEN', bssid: '02:00:00:00:00:02', dhcp: { gateway: '172.16.0.1' } }]));
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  await m.at('AT+QSTAAPINFO=cafe');
  assert.deepEqual(await lines(m.host, 3), [DISCONNECTED, CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:172.16.0.100,gateway:172.16.0.1,mask:255.255.255.0,dns:172.16.0.1']);
});

test('AT+QSTASTOP leaves (WLAN_DISCONNECTED), forgets the address and stops rejoining', async () => {
  const w = makeWorld([HOME]);
  const m = await start(w);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual(await m.at('AT+QSTASTOP'), OK);
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, [ZEROS]);
  assert.equal((await m.at('AT+QGETWIFISTATE')).final, 'ERROR');
  // The AP going away and coming back does not bring the station back.
  w.updateAccessPoint(HOME.bssid!, { up: false });
  w.updateAccessPoint(HOME.bssid!, { up: true });
  await silence(m.host);
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
  // Stopping a stopped station is harmless and silent.
  assert.deepEqual(await m.at('AT+QSTASTOP'), OK);
  await silence(m.host, 100);
});

test('AT+QSTASTOP while retrying: silent, and an AP appearing later is not joined', async () => {
  const w = makeWorld([]);
  const m = await start(w);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  assert.deepEqual(await m.at('AT+QSTASTOP'), OK);
  w.addAccessPoint(HOME);
  await silence(m.host);
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
});

test('DHCP off and a static address: GOT_IP with that address, no lease taken', async () => {
  const w = makeWorld([HOME]);
  const m = await start(w);
  assert.deepEqual(await m.at('AT+QSTADHCP=0'), OK);
  assert.deepEqual(await m.at('AT+QSTASTATIC=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8'), OK);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.50,gateway:192.168.1.1,mask:255.255.255.0,dns:8.8.8.8']);
  assert.equal(w.isLeased(HOME.bssid!, '192.168.1.100'), false);
  assert.equal((await m.at('AT+QPING=192.168.1.50')).final, 'OK', 'its own address answers');
});

test('DHCP off without a static address: associated, no address until AT+QSTASTATIC gives one', async () => {
  const m = await start(makeWorld([HOME]));
  await m.at('AT+QSTADHCP=0');
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [CONNECTED]);
  await silence(m.host);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, [ZEROS]);
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_UP']);
  assert.deepEqual(await m.at('AT+QSTASTATIC=10.1.1.9,255.255.0.0,10.1.0.1,10.1.0.2'), OK);
  assert.deepEqual(await lines(m.host, 1), [GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:10.1.1.9,gateway:10.1.0.1,mask:255.255.0.0,dns:10.1.0.2']);
});

test('DHCP off, associated without an address: AT+QSTADHCP=1 takes a lease now', async () => {
  const m = await start(makeWorld([HOME]));
  await m.at('AT+QSTADHCP=0');
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [CONNECTED]);
  assert.deepEqual(await m.at('AT+QSTADHCP=1'), OK);
  assert.deepEqual(await lines(m.host, 1), [GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
});

test('a static address is not used while DHCP is on', async () => {
  const m = await start(makeWorld([HOME]));
  await m.at('AT+QSTASTATIC=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8');
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
});

test('AT+QURCCFG=0 silences +QSTASTAT but the station still joins', async () => {
  const m = await start(makeWorld([HOME]));
  await m.at('AT+QURCCFG=0');
  await m.at('AT+QSTAAPINFO=home,password1');
  await silence(m.host);
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_UP']);
  await m.at('AT+QURCCFG=1');
});

test('AT+QRST: a station joined with AT+QSTAAPINFO stays down; runtime settings are forgotten', async () => {
  const m = await start(makeWorld([HOME]));
  await m.at('AT+QSTADHCP=0');
  await m.at('AT+QSTASTATIC=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8');
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual(await m.at('AT+QRST'), OK);
  assert.deepEqual(await lines(m.host, 1), ['ready']);
  await silence(m.host);
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
  // DHCP is on again (QSTADHCP is not saved), and the static address is gone.
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
});

test('AT+QRST after AT+QSTAAPINFODEF: ready, then the saved AP is joined again', async () => {
  const m = await start(makeWorld([HOME]));
  assert.deepEqual(await m.at('AT+QSTAAPINFODEF=home,password1'), OK);
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  const ip = (await m.at('AT+QGETIP=station')).lines;
  await m.at('AT+QRST');
  assert.deepEqual(await lines(m.host, 3), ['ready', CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ip, 'the same lease');
  // AT+QSTASTOP stops the station but keeps the saved AP for the next boot.
  await m.at('AT+QSTASTOP');
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await m.at('AT+QRST');
  assert.deepEqual(await lines(m.host, 3), ['ready', CONNECTED, GOT_IP]);
});

test('a saved open AP (no key) is rejoined after AT+QRST', async () => {
  const m = await start(makeWorld([{ ssid: 'cafe', security: 'OPEN', bssid: '02:00:00:00:00:02' }]));
  await m.at('AT+QSTAAPINFODEF=cafe');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  await m.at('AT+QRST');
  assert.deepEqual(await lines(m.host, 3), ['ready', CONNECTED, GOT_IP]);
});
