// The world changes while modules run (World.addAccessPoint / updateAccessPoint /
// removeAccessPoint): an AP vanishes and returns, is switched off and on, changes its key or
// security, its signal drops below -90 dBm and comes back, or appears only after a failed
// join. The station reports the loss (WLAN_DISCONNECTED), retries, and rejoins at once
// when the AP is back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessPointInput } from '../../src/index.ts';
import { CONNECTED, DISCONNECTED, during, GOT_IP, lines, makeWorld, type Module, NO_AP, SCALE, silence, T, useModules } from '../helpers/wifi.ts';

const { start } = useModules({ macPrefix: '02:1e:00:00:00:', labelPrefix: 'live' });

const BSSID = '02:00:00:00:00:01';
const HOME: AccessPointInput = { ssid: 'home', password: 'password1', rssi: -55, bssid: BSSID, dhcp: { delayMs: 0 } };

/** A module joined to HOME (or `ap`) in a fresh world. */
async function joined(ap: AccessPointInput = HOME, timeScale = SCALE) {
  const world = makeWorld([ap], timeScale);
  const m = await start(world);
  await m.at(`AT+QSTAAPINFO=${ap.ssid},${ap.password ?? ''}`);
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  return { world, m };
}

/**
 * After a lost link the station keeps retrying. Not finding the AP is another failure kind,
 * so one SCAN_NO_AP may follow the WLAN_DISCONNECTED — but nothing is repeated.
 */
function assertQuietRetries(seen: string[]): void {
  assert.ok(seen.length === 0 || (seen.length === 1 && seen[0] === NO_AP), `retries reported ${JSON.stringify(seen)}`);
}

test('the AP vanishes: WLAN_DISCONNECTED, address gone; it returns: CONNECTED and GOT_IP again', async () => {
  const { world, m } = await joined();
  world.removeAccessPoint(BSSID);
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  assertQuietRetries(await during(m.host));
  assert.deepEqual((await m.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:0.0.0.0,gateway:0.0.0.0,mask:0.0.0.0,dns:0.0.0.0']);
  assert.equal((await m.at('AT+QGETWIFISTATE')).final, 'ERROR');
  assert.equal((await m.at('AT+QPING=192.168.1.1')).final, 'ERROR');
  world.addAccessPoint(HOME);
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
  await silence(m.host, 200);
});

test('the AP is switched off and on again (up:false / up:true)', async () => {
  const { world, m } = await joined();
  world.updateAccessPoint(BSSID, { up: false });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  assertQuietRetries(await during(m.host));
  world.updateAccessPoint(BSSID, { up: true });
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('the AP changes its key: the link drops, retries fail silently, the old key back rejoins', async () => {
  const { world, m } = await joined();
  world.updateAccessPoint(BSSID, { password: 'password2' });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await silence(m.host); // wrong key again and again: already reported
  world.updateAccessPoint(BSSID, { password: 'password1' });
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('after a key change the host joins with the new key', async () => {
  const { world, m } = await joined();
  world.updateAccessPoint(BSSID, { password: 'password2' });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await m.at('AT+QSTAAPINFO=home,password2');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('the AP changes its security: the link drops, then the retries follow the key rule', async () => {
  const { world, m } = await joined();
  // WPA2 → WPA3 with the same password: the link drops, and the retry gets in (key === password).
  world.updateAccessPoint(BSSID, { security: 'WPA3_SAE' });
  assert.deepEqual(await lines(m.host, 3), [DISCONNECTED, CONNECTED, GOT_IP]);
  assert.match((await m.at('AT+QGETWIFISTATE')).lines[0], /,cipher_type=WPA3_SAE$/);
  // Becoming OPEN: the link drops, and the key the station keeps offering is refused.
  world.updateAccessPoint(BSSID, { security: 'OPEN', password: undefined });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await silence(m.host);
  world.updateAccessPoint(BSSID, { security: 'WPA2_AES_PSK', password: 'password1' });
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('changes that keep the link: signal within range, channel, internet', async () => {
  const { world, m } = await joined();
  world.updateAccessPoint(BSSID, { rssi: -90 });
  world.updateAccessPoint(BSSID, { channel: 13 });
  world.updateAccessPoint(BSSID, { internet: false });
  await silence(m.host, 200);
  assert.deepEqual((await m.at('AT+QGETWIFISTATE')).lines, [
    '+QGETWIFISTATE:ssid=home,bssid=02:00:00:00:00:01,rssi=-90,channel=13,cipher_type=WPA2_AES_PSK',
  ]);
  // The station sees the AP as it is now: no internet any more.
  assert.equal((await m.at('AT+QPING=127.0.0.1')).final, 'ERROR');
});

test('the signal drops below -90 dBm: link lost; it comes back: rejoined', async () => {
  const { world, m } = await joined();
  world.updateAccessPoint(BSSID, { rssi: -91 });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  assertQuietRetries(await during(m.host));
  const scan = await m.at('AT+QWSCAN');
  assert.deepEqual(scan, { lines: ['+QSTASTAT:SCAN_NO_AP'], final: 'OK' }, 'out of range: not scanned either');
  world.updateAccessPoint(BSSID, { rssi: -70 });
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.match((await m.at('AT+QGETWIFISTATE')).lines[0], /,rssi=-70,/);
});

test('SCAN_NO_AP, then the AP is added: joined without a new command', async () => {
  const world = makeWorld([]);
  const m = await start(world);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  await silence(m.host);
  world.addAccessPoint(HOME);
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
});

test('SCAN_NO_AP, then an AP of another name is added: still nothing', async () => {
  const world = makeWorld([]);
  const m = await start(world);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  world.addAccessPoint({ ssid: 'elsewhere', security: 'OPEN' });
  await silence(m.host);
});

test('changes to other APs do not disturb a connected station', async () => {
  const world = makeWorld([HOME, { ssid: 'other', security: 'OPEN', bssid: '02:00:00:00:00:02' }]);
  const m = await start(world);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  world.updateAccessPoint('02:00:00:00:00:02', { rssi: -95 });
  world.removeAccessPoint('02:00:00:00:00:02');
  world.addAccessPoint({ ssid: 'home', password: 'password1', rssi: -30, bssid: '02:00:00:00:00:03' });
  await silence(m.host, 200);
  assert.match((await m.at('AT+QGETWIFISTATE')).lines[0], /bssid=02:00:00:00:00:01,/);
});

test('roaming: the joined AP vanishes, another AP with the SSID takes over', async () => {
  const world = makeWorld([
    HOME,
    { ssid: 'home', password: 'password1', rssi: -75, bssid: '02:00:00:00:00:02', dhcp: { gateway: '10.9.0.1', delayMs: 0 } },
  ]);
  const m = await start(world);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  assert.match((await m.at('AT+QGETWIFISTATE')).lines[0], /bssid=02:00:00:00:00:01,/);
  world.removeAccessPoint(BSSID);
  assert.deepEqual(await lines(m.host, 3), [DISCONNECTED, CONNECTED, GOT_IP]);
  assert.match((await m.at('AT+QGETWIFISTATE')).lines[0], /bssid=02:00:00:00:00:02,/);
  assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:10.9.0.100,gateway:10.9.0.1,mask:255.255.255.0,dns:10.9.0.1']);
});

test('several modules on one AP all lose it and all come back', async () => {
  const world = makeWorld([HOME]);
  const mods = [await start(world), await start(world), await start(world)];
  for (const m of mods) await m.at('AT+QSTAAPINFO=home,password1');
  for (const m of mods) assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  world.updateAccessPoint(BSSID, { up: false });
  for (const m of mods) assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  world.updateAccessPoint(BSSID, { up: true });
  for (const m of mods) {
    const seen = (await m.host.expect(GOT_IP, T)).split('\r\n').filter((l) => l.startsWith('+QSTASTAT:'));
    assert.deepEqual(seen.filter((l) => l !== NO_AP), [CONNECTED, GOT_IP]);
  }
  const ips = new Set<string>();
  for (const m of mods) ips.add((await m.at('AT+QGETIP=station')).lines[0]);
  assert.equal(ips.size, 3, 'each keeps an address of its own');
});

// At timeScale 1 a retry comes 3000 ms after a failure; a join takes 300 ms (DHCP delay 0).
// An AP that comes back must be joined at once, well before the next retry would run.

/** Runs `fix`; CONNECTED and GOT_IP must follow well before the next retry is due. */
async function assertJoinedAtOnce(m: Module, fix: () => void, what: string): Promise<void> {
  const t0 = performance.now();
  fix();
  assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  const took = performance.now() - t0;
  assert.ok(took < 2000, `${what} after ${Math.round(took)} ms; a retry was due at 3000 ms`);
}

test('at once: a returning AP is rejoined before the next retry is due (timeScale 1)', async () => {
  const { world, m } = await joined(HOME, 1);
  world.removeAccessPoint(BSSID);
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await assertJoinedAtOnce(m, () => world.addAccessPoint(HOME), 'rejoined');
});

test('at once: an AP added after SCAN_NO_AP is joined before the next retry is due (timeScale 1)', async () => {
  const world = makeWorld([], 1);
  const m = await start(world);
  await m.at('AT+QSTAAPINFO=home,password1');
  assert.deepEqual(await lines(m.host, 1), [NO_AP]);
  await assertJoinedAtOnce(m, () => world.addAccessPoint(HOME), 'joined');
});

test('at once: the key changed back is tried before the next retry is due (timeScale 1)', async () => {
  const { world, m } = await joined(HOME, 1);
  world.updateAccessPoint(BSSID, { password: 'password2' });
  assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  await assertJoinedAtOnce(m, () => world.updateAccessPoint(BSSID, { password: 'password1' }), 'rejoined');
});
