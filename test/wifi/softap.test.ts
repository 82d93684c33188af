// The soft-AP (§2.1.18–2.1.21): an AP in the shared world with the module's MAC as BSSID,
// -40 dBm, channel 6, 192.168.4.1/24 (AT+QAPSTATIC changes it), pool .100–.199; other
// modules scan and join it; its owner does not list it; AT+QSOFTAPSTOP removes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitLines } from '../helpers/at-host.ts';
import { CONNECTED, DISCONNECTED, GOT_IP, lines, makeWorld, NO_AP, OK, silence, T, useModules, ZEROS } from '../helpers/wifi.ts';

const { start } = useModules();

const MAC_A = '02:a0:00:00:00:0a';
const MAC_B = '02:b0:00:00:00:0b';
const MAC_C = '02:c0:00:00:00:0c';

/** A (MAC_A) runs the soft-AP "bench" with key benchkey1, and B (MAC_B) has joined it. */
async function benchWithClient() {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  const b = await start(world, { mac: MAC_B, label: 'B' });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  await b.at('AT+QSTAAPINFO=bench,benchkey1');
  assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
  return { world, a, b };
}

test('AT+QSOFTAP puts an AP in the world: BSSID = MAC, -40 dBm, channel 6, 192.168.4.1/24, pool .100–.199', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  assert.deepEqual(await a.at('AT+QAPSTATE'), { lines: ['+QAPSTATE: SOFTAP_DOWN'], final: 'OK' });
  assert.deepEqual(await a.at('AT+QGETIP=ap'), { lines: [ZEROS], final: 'OK' });
  assert.deepEqual(await a.at('AT+QSOFTAP=bench,benchkey1'), OK);
  const aps = world.accessPoints();
  assert.equal(aps.length, 1);
  const ap = aps[0];
  assert.deepEqual(
    { ssid: ap.ssid, bssid: ap.bssid, rssi: ap.rssi, channel: ap.channel, security: ap.security, password: ap.password, up: ap.up, owner: ap.owner },
    { ssid: 'bench', bssid: MAC_A, rssi: -40, channel: 6, security: 'WPA2_AES_PSK', password: 'benchkey1', up: true, owner: MAC_A },
  );
  assert.deepEqual(
    { gateway: ap.dhcp.gateway, mask: ap.dhcp.mask, first: ap.dhcp.first, last: ap.dhcp.last },
    { gateway: '192.168.4.1', mask: '255.255.255.0', first: 100, last: 199 },
  );
  assert.deepEqual(await a.at('AT+QAPSTATE'), { lines: ['+QAPSTATE: SOFTAP_UP'], final: 'OK' });
  assert.deepEqual(await a.at('AT+QGETIP=ap'), {
    lines: ['+QGETIP:ip:192.168.4.1,gateway:192.168.4.1,mask:255.255.255.0,dns:192.168.4.1'],
    final: 'OK',
  });
  // The station side is untouched.
  assert.deepEqual((await a.at('AT+QGETIP=station')).lines, [ZEROS]);
  assert.deepEqual((await a.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
});

test('without a key the soft-AP is OPEN', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  assert.deepEqual(await a.at('AT+QSOFTAP=openbench'), OK);
  assert.equal(world.find(MAC_A)?.security, 'OPEN');
  assert.equal(world.find(MAC_A)?.password, undefined);
});

test('others scan it (exact line); its owner does not list it', async () => {
  const world = makeWorld([{ ssid: 'street', security: 'OPEN', rssi: -70, channel: 11, bssid: '02:00:00:00:00:01' }]);
  const a = await start(world, { mac: MAC_A, label: 'A' });
  const b = await start(world, { mac: MAC_B, label: 'B' });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  assert.deepEqual(await b.at('AT+QWSCAN'), {
    lines: [`+QWSCAN:"bench",WPA2_AES_PSK,40,${MAC_A} ,6`, '+QWSCAN:"street",OPEN,70,02:00:00:00:00:01 ,11'],
    final: 'OK',
  });
  assert.deepEqual(await a.at('AT+QWSCAN'), { lines: ['+QWSCAN:"street",OPEN,70,02:00:00:00:00:01 ,11'], final: 'OK' });
});

test('another module joins it: a lease from 192.168.4.100, the soft-AP answers ping, no internet behind it', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  const b = await start(world, { mac: MAC_B, label: 'B' });
  const c = await start(world, { mac: MAC_C, label: 'C' });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  await b.at('AT+QSTAAPINFO=bench,benchkey1');
  assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
  await c.at('AT+QSTAAPINFO=bench,benchkey1');
  assert.deepEqual(await lines(c.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await b.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.4.100,gateway:192.168.4.1,mask:255.255.255.0,dns:192.168.4.1']);
  assert.deepEqual((await c.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.4.101,gateway:192.168.4.1,mask:255.255.255.0,dns:192.168.4.1']);
  assert.deepEqual((await b.at('AT+QGETWIFISTATE')).lines, [`+QGETWIFISTATE:ssid=bench,bssid=${MAC_A},rssi=-40,channel=6,cipher_type=WPA2_AES_PSK`]);
  assert.equal((await b.at('AT+QPING=192.168.4.1')).final, 'OK', 'the soft-AP');
  assert.equal((await b.at('AT+QPING=192.168.4.101')).final, 'OK', 'the other client');
  assert.equal((await c.at('AT+QPING=192.168.4.100')).final, 'OK', 'the other client');
  assert.equal((await b.at('AT+QPING=192.168.4.150')).final, 'ERROR', 'nobody there');
  assert.equal((await b.at('AT+QPING=127.0.0.1')).final, 'ERROR', 'a soft-AP has no internet');
});

test('a wrong key for the soft-AP is refused', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  const b = await start(world, { mac: MAC_B, label: 'B' });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  await b.at('AT+QSTAAPINFO=bench,benchkey2');
  assert.deepEqual(await lines(b.host, 1), [DISCONNECTED]);
});

test('a module does not join its own soft-AP', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  await a.at('AT+QSTAAPINFO=bench,benchkey1');
  assert.deepEqual(await lines(a.host, 1), [NO_AP]);
});

test('a module is soft-AP and station at once', async () => {
  const world = makeWorld([{ ssid: 'home', password: 'password1', bssid: '02:00:00:00:00:01' }]);
  const a = await start(world, { mac: MAC_A, label: 'A' });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  await a.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(a.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await a.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
  assert.deepEqual((await a.at('AT+QGETIP=ap')).lines, ['+QGETIP:ip:192.168.4.1,gateway:192.168.4.1,mask:255.255.255.0,dns:192.168.4.1']);
  assert.deepEqual((await a.at('AT+QAPSTATE')).lines, ['+QAPSTATE: SOFTAP_UP']);
});

test('AT+QAPSTATIC before AT+QSOFTAP: the soft-AP and its pool use that subnet', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  const b = await start(world, { mac: MAC_B, label: 'B' });
  assert.deepEqual(await a.at('AT+QAPSTATIC=10.10.0.1,255.255.255.0,10.10.0.1,10.10.0.53'), OK);
  assert.deepEqual((await a.at('AT+QGETIP=ap')).lines, [ZEROS], 'not up yet');
  await a.at('AT+QSOFTAP=bench');
  assert.deepEqual((await a.at('AT+QGETIP=ap')).lines, ['+QGETIP:ip:10.10.0.1,gateway:10.10.0.1,mask:255.255.255.0,dns:10.10.0.53']);
  await b.at('AT+QSTAAPINFO=bench');
  assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await b.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:10.10.0.100,gateway:10.10.0.1,mask:255.255.255.0,dns:10.10.0.53']);
});

test('AT+QAPSTATIC while up: clients drop and rejoin in the new subnet', async () => {
  const { a, b } = await benchWithClient();
  assert.deepEqual(await a.at('AT+QAPSTATIC=172.20.1.1,255.255.255.0,172.20.1.1,172.20.1.1'), OK);
  const seen = splitLines(await b.host.expect(GOT_IP, T));
  assert.deepEqual(seen.filter((l) => l !== NO_AP), [DISCONNECTED, CONNECTED, GOT_IP]);
  assert.deepEqual((await b.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:172.20.1.100,gateway:172.20.1.1,mask:255.255.255.0,dns:172.20.1.1']);
  assert.deepEqual((await a.at('AT+QGETIP=ap')).lines, ['+QGETIP:ip:172.20.1.1,gateway:172.20.1.1,mask:255.255.255.0,dns:172.20.1.1']);
});

test('AT+QSOFTAPSTOP: gone from the world and scans, clients lose the link; a restart brings them back', async () => {
  const { world, a, b } = await benchWithClient();
  assert.deepEqual(await a.at('AT+QSOFTAPSTOP'), OK);
  assert.deepEqual(await lines(b.host, 1), [DISCONNECTED]);
  assert.equal(world.find(MAC_A), undefined);
  assert.deepEqual(await a.at('AT+QAPSTATE'), { lines: ['+QAPSTATE: SOFTAP_DOWN'], final: 'OK' });
  assert.deepEqual((await a.at('AT+QGETIP=ap')).lines, [ZEROS]);
  const scan = await b.at('AT+QWSCAN');
  assert.deepEqual(scan.lines.filter((l) => l.startsWith('+QWSCAN:')), []);
  // Stopping again is harmless.
  assert.deepEqual(await a.at('AT+QSOFTAPSTOP'), OK);
  // The client keeps trying, and gets back in as soon as the soft-AP is up again.
  await a.at('AT+QSOFTAP=bench,benchkey1');
  const seen = splitLines(await b.host.expect(GOT_IP, T));
  assert.deepEqual(seen.filter((l) => l !== NO_AP), [CONNECTED, GOT_IP]);
});

test('AT+QSOFTAP again with another key: old clients lose the link and stay out', async () => {
  const { world, a, b } = await benchWithClient();
  await a.at('AT+QSOFTAP=bench,benchkey2');
  assert.equal(world.accessPoints().length, 1, 'one soft-AP per module');
  assert.equal(world.find(MAC_A)?.password, 'benchkey2');
  assert.deepEqual(await lines(b.host, 1), [DISCONNECTED]);
  await silence(b.host);
  assert.deepEqual((await b.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
});

test('AT+QRST and closing the module take the soft-AP out of the world', async () => {
  const { world, a, b } = await benchWithClient();
  await a.at('AT+QRST');
  assert.deepEqual(await lines(a.host, 1), ['ready']);
  assert.deepEqual(await lines(b.host, 1), [DISCONNECTED]);
  assert.equal(world.find(MAC_A), undefined, 'the soft-AP is not saved');
  assert.deepEqual((await a.at('AT+QAPSTATE')).lines, ['+QAPSTATE: SOFTAP_DOWN']);
  await a.at('AT+QSOFTAP=bench,benchkey1');
  await b.host.expect(GOT_IP, T);
  a.close();
  assert.equal(world.find(MAC_A), undefined);
  const seen = splitLines(await b.host.expect(DISCONNECTED, T));
  assert.deepEqual(seen, [DISCONNECTED]);
});

test('AT+QAPSTATIC is not saved: after AT+QRST the soft-AP is 192.168.4.1 again', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  await a.at('AT+QAPSTATIC=10.10.0.1,255.255.255.0,10.10.0.1,10.10.0.1');
  await a.at('AT+QRST');
  assert.deepEqual(await lines(a.host, 1), ['ready']);
  await a.at('AT+QSOFTAP=bench');
  // §2.1.20: "The configurations are not saved."
  assert.deepEqual((await a.at('AT+QGETIP=ap')).lines, ['+QGETIP:ip:192.168.4.1,gateway:192.168.4.1,mask:255.255.255.0,dns:192.168.4.1']);
  assert.equal(world.find(MAC_A)?.dhcp.gateway, '192.168.4.1');
});

test('modules with distinct MACs and the default label still see and join each other\'s soft-AP', async () => {
  // createModule's label defaults to "module 0" for every module; ownership must follow the
  // module (its MAC, the soft-AP's BSSID), not a display name two modules may share.
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A });
  const b = await start(world, { mac: MAC_B });
  await a.at('AT+QSOFTAP=bench,benchkey1');
  assert.deepEqual((await b.at('AT+QWSCAN')).lines, [`+QWSCAN:"bench",WPA2_AES_PSK,40,${MAC_A} ,6`]);
  await b.at('AT+QSTAAPINFO=bench,benchkey1');
  assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
});

test('the world can change a soft-AP like any AP: out of range drops its station, back in range it rejoins', async () => {
  const world = makeWorld();
  const a = await start(world, { mac: MAC_A, label: 'A' });
  const b = await start(world, { mac: MAC_B, label: 'B' });
  assert.deepEqual(await a.at('AT+QSOFTAP=bench,benchkey1'), OK);
  assert.deepEqual(await b.at('AT+QSTAAPINFO=bench,benchkey1'), OK);
  assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
  const moved = world.updateAccessPoint(MAC_A, { rssi: -95 });
  assert.equal(moved.owner, MAC_A, 'still the module\'s soft-AP');
  assert.deepEqual((await lines(b.host, 1))[0], DISCONNECTED);
  world.updateAccessPoint(MAC_A, { rssi: -40 });
  await b.host.expect(`${GOT_IP}\r\n`, T);
  assert.deepEqual(await a.at('AT+QSOFTAPSTOP'), OK);
  await b.host.expect(`${DISCONNECTED}\r\n`, T);
});
