// The radio world (src/world/): the world file's schema and its error messages, BSSID
// generation, audibility, keys, DHCP leases (unique per module MAC, pool exhaustion), the
// change events modules listen to; and, through modules, leases as the host sees them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AccessPoint, type AccessPointInput, DEFAULT_WORLD, parseWorld, RANGE_LIMIT_DBM, World } from '../../src/index.ts';
import { lines, makeWorld, silence, useModules } from '../helpers/wifi.ts';

const { start } = useModules();

/** Expects a parse failure whose message names every path in `paths`. */
function rejects(json: unknown, paths: string[], source = 'world'): string {
  let message = '';
  assert.throws(
    () => parseWorld(json, source),
    (e: Error) => {
      message = e.message;
      return true;
    },
  );
  assert.ok(message.startsWith(`${source}: `), message);
  for (const path of paths) assert.ok(message.includes(`at ${path}`), `message lacks the path ${path}:\n${message}`);
  return message;
}

describe('world file schema', () => {
  test('defaults of a world and of an access point', () => {
    const w = parseWorld({});
    assert.deepEqual(w, { accessPoints: [], hosts: {}, timeScale: 1 });
    const ap = parseWorld({ accessPoints: [{ ssid: 'x', password: 'secret-key' }] }).accessPoints[0];
    assert.deepEqual(ap, {
      ssid: 'x',
      security: 'WPA2_AES_PSK',
      password: 'secret-key',
      rssi: -50,
      channel: 6,
      internet: true,
      up: true,
      dhcp: { gateway: '192.168.1.1', mask: '255.255.255.0', first: 100, last: 199, delayMs: 300 },
    });
  });

  test('the default world parses and builds', () => {
    const world = new World(parseWorld(DEFAULT_WORLD, 'default world'));
    assert.deepEqual(
      world.accessPoints().map((a) => a.ssid),
      ['Office', 'Guest', 'Lab-5', 'Neighbour'],
    );
  });

  test('errors name the source and the path of each offending field', () => {
    const message = rejects(
      {
        accessPoints: [
          { ssid: 'ok', password: '12345678' },
          { ssid: 'b', rssi: 5, channel: 15, bssid: 'zz:00', security: 'OPEN', password: 'x', dhcp: { gateway: '1.2.3', first: 200, last: 100 } },
        ],
        timeScale: 500,
      },
      [
        'timeScale',
        'accessPoints[1].rssi',
        'accessPoints[1].channel',
        'accessPoints[1].bssid',
        'accessPoints[1].password',
        'accessPoints[1].dhcp.gateway',
        'accessPoints[1].dhcp.first',
      ],
      'office.json',
    );
    assert.ok(!message.includes('accessPoints[0]'), 'the valid AP is not blamed');
  });

  test('security and password must agree', () => {
    assert.match(rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', password: 'abcdefgh' }] }, ['accessPoints[0].password']), /OPEN AP has no password/);
    assert.match(rejects({ accessPoints: [{ ssid: 'a' }] }, ['accessPoints[0].password']), /WPA2_AES_PSK AP needs a password/);
    assert.match(rejects({ accessPoints: [{ ssid: 'a', security: 'WEP2', password: 'x' }] }, ['accessPoints[0].security']), /✖/);
  });

  test('SSID: 1 to 32 bytes of UTF-8', () => {
    parseWorld({ accessPoints: [{ ssid: 'x'.repeat(32), security: 'OPEN' }] });
    parseWorld({ accessPoints: [{ ssid: 'é'.repeat(16), security: 'OPEN' }] }); // 32 bytes
    assert.match(rejects({ accessPoints: [{ ssid: 'é'.repeat(17), security: 'OPEN' }] }, ['accessPoints[0].ssid']), /at most 32 bytes/);
    rejects({ accessPoints: [{ ssid: 'x'.repeat(33), security: 'OPEN' }] }, ['accessPoints[0].ssid']);
    rejects({ accessPoints: [{ ssid: '', security: 'OPEN' }] }, ['accessPoints[0].ssid']);
  });

  test('ranges: rssi -100..0, channel 1..14, pool hosts 1..254, timeScale 0..100, integers', () => {
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', rssi: -101 }] }, ['accessPoints[0].rssi']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', rssi: -50.5 }] }, ['accessPoints[0].rssi']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', channel: 0 }] }, ['accessPoints[0].channel']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', dhcp: { first: 0 } }] }, ['accessPoints[0].dhcp.first']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', dhcp: { last: 255 } }] }, ['accessPoints[0].dhcp.last']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', dhcp: { delayMs: -1 } }] }, ['accessPoints[0].dhcp.delayMs']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', dhcp: { mask: '255.255.255' } }] }, ['accessPoints[0].dhcp.mask']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', up: 'yes' }] }, ['accessPoints[0].up']);
    rejects({ timeScale: -1 }, ['timeScale']);
    assert.match(rejects({ acessPoints: [] }, []), /acessPoints/, 'a misspelt field is named');
    assert.match(rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', rsi: -40 }] }, ['accessPoints[0]']), /rsi/);
    rejects({ accessPoints: {} }, ['accessPoints']);
    const edge = parseWorld({ accessPoints: [{ ssid: 'a', security: 'OPEN', rssi: -100, channel: 14, dhcp: { first: 1, last: 254 } }], timeScale: 0 });
    assert.equal(edge.accessPoints[0].rssi, -100);
    assert.equal(edge.timeScale, 0);
  });

  test('a BSSID is any-case hex with colons, kept lower-case', () => {
    const w = makeWorld([{ ssid: 'a', security: 'OPEN', bssid: 'F0:9B:B8:32:94:B0' }]);
    assert.equal(w.accessPoints()[0].bssid, 'f0:9b:b8:32:94:b0');
    assert.equal(w.find('F0:9B:B8:32:94:B0')?.ssid, 'a');
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', bssid: 'f0-9b-b8-32-94-b0' }] }, ['accessPoints[0].bssid']);
    rejects({ accessPoints: [{ ssid: 'a', security: 'OPEN', bssid: 'f0:9b:b8:32:94' }] }, ['accessPoints[0].bssid']);
  });

  test('two APs with the same BSSID are refused', () => {
    assert.throws(
      () => makeWorld([{ ssid: 'a', security: 'OPEN', bssid: '02:00:00:00:00:01' }, { ssid: 'b', security: 'OPEN', bssid: '02:00:00:00:00:01' }]),
      /two access points with BSSID 02:00:00:00:00:01/,
    );
  });
});

describe('BSSID generation', () => {
  const APS: AccessPointInput[] = [
    { ssid: 'Home', security: 'OPEN' },
    { ssid: 'Home', security: 'OPEN' },
    { ssid: 'Cafe', security: 'OPEN' },
    { ssid: 'Given', security: 'OPEN', bssid: '10:20:30:40:50:60' },
  ];

  test('stable: the same world file gives the same BSSIDs, every time', () => {
    const a = makeWorld(APS).accessPoints().map((x) => x.bssid);
    const b = makeWorld(APS).accessPoints().map((x) => x.bssid);
    assert.deepEqual(a, b);
    assert.equal(a[3], '10:20:30:40:50:60', 'a given BSSID is used as is');
  });

  test('well-formed, locally administered unicast, distinct even for the same SSID', () => {
    const bssids = makeWorld(APS).accessPoints().map((x) => x.bssid).slice(0, 3);
    for (const b of bssids) {
      assert.match(b, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      const first = parseInt(b.slice(0, 2), 16);
      assert.equal(first & 0x02, 0x02, `${b} is locally administered`);
      assert.equal(first & 0x01, 0, `${b} is unicast`);
    }
    assert.equal(new Set(bssids).size, 3);
  });

  test('an AP added later gets a BSSID of its own', () => {
    const w = makeWorld([
      { ssid: 'a', security: 'OPEN' },
      { ssid: 'b', security: 'OPEN' },
    ]);
    const added = w.addAccessPoint({ ssid: 'c', security: 'OPEN' });
    assert.equal(new Set(w.accessPoints().map((x) => x.bssid)).size, 3);
    assert.equal(w.find(added.bssid)?.ssid, 'c');
  });

  test('after a removal, an added AP still gets a BSSID no other AP has', () => {
    // A second AP named `b` (a mesh, a repeater) is a valid AP and must not
    // clash with the first `b`. (World.insert numbers generated BSSIDs by the current count of
    // APs, so the index of `b` is handed out again: addAccessPoint throws "two access points".)
    const v = makeWorld([
      { ssid: 'a', security: 'OPEN' },
      { ssid: 'b', security: 'OPEN' },
    ]);
    v.removeAccessPoint(v.accessPoints()[0].bssid);
    const second = v.addAccessPoint({ ssid: 'b', security: 'OPEN' });
    assert.equal(new Set(v.accessPoints().map((x) => x.bssid)).size, 2);
    assert.equal(v.find(second.bssid)?.ssid, 'b');
  });
});

describe('the world at run time', () => {
  test('audible: up and at or above -90 dBm, strongest first, a soft-AP hidden from its owner', () => {
    const w = makeWorld([
      { ssid: 'weak', security: 'OPEN', rssi: -90, bssid: '02:00:00:00:00:01' },
      { ssid: 'gone', security: 'OPEN', rssi: -91, bssid: '02:00:00:00:00:02' },
      { ssid: 'off', security: 'OPEN', rssi: -30, up: false, bssid: '02:00:00:00:00:03' },
      { ssid: 'mid', security: 'OPEN', rssi: -60, bssid: '02:00:00:00:00:04' },
    ]);
    w.addAccessPoint({ ssid: 'mine', security: 'OPEN', rssi: -40, bssid: '02:00:00:00:00:05' }, 'module A');
    assert.equal(RANGE_LIMIT_DBM, -90);
    assert.deepEqual(w.audible().map((a) => a.ssid), ['mine', 'mid', 'weak']);
    assert.deepEqual(w.audible('module A').map((a) => a.ssid), ['mid', 'weak']);
    assert.deepEqual(w.audible('module B').map((a) => a.ssid), ['mine', 'mid', 'weak']);
    assert.equal(w.find('02:00:00:00:00:05')?.owner, 'module A');
    assert.equal(w.find('02:00:00:00:00:04')?.owner, undefined);
  });

  test('keys: an OPEN AP takes no key, the others exactly their password', () => {
    const w = makeWorld([
      { ssid: 'open', security: 'OPEN', bssid: '02:00:00:00:00:01' },
      { ssid: 'wpa', password: 'abcdefgh', bssid: '02:00:00:00:00:02' },
    ]);
    const [open, wpa] = w.accessPoints();
    assert.equal(w.keyMatches(open, undefined), true);
    assert.equal(w.keyMatches(open, 'abcdefgh'), false);
    assert.equal(w.keyMatches(wpa, 'abcdefgh'), true);
    assert.equal(w.keyMatches(wpa, 'ABCDEFGH'), false);
    assert.equal(w.keyMatches(wpa, undefined), false);
  });

  test('accessPoints() and find() hand out copies', () => {
    const w = makeWorld([{ ssid: 'a', security: 'OPEN', rssi: -50, bssid: '02:00:00:00:00:01' }]);
    w.accessPoints()[0].rssi = -10;
    w.find('02:00:00:00:00:01')!.rssi = -10;
    assert.equal(w.find('02:00:00:00:00:01')?.rssi, -50);
  });

  test('changes are validated and announced: added, changed, removed', () => {
    const w = makeWorld([{ ssid: 'a', password: 'abcdefgh', bssid: '02:00:00:00:00:01' }]);
    const events: [string, string, number][] = [];
    w.on('ap', (ap: AccessPoint, change) => events.push([change, ap.bssid, ap.rssi]));
    w.updateAccessPoint('02:00:00:00:00:01', { rssi: -70 });
    assert.throws(() => w.updateAccessPoint('02:00:00:00:00:01', { rssi: 5 }), /rssi|Too big/);
    assert.throws(() => w.updateAccessPoint('02:00:00:00:00:01', { security: 'OPEN' }), /OPEN AP has no password/);
    assert.throws(() => w.updateAccessPoint('02:00:00:00:00:99', { rssi: -70 }), /no access point 02:00:00:00:00:99/);
    assert.equal(w.find('02:00:00:00:00:01')?.rssi, -70, 'a refused change changes nothing');
    const open = w.updateAccessPoint('02:00:00:00:00:01', { security: 'OPEN', password: undefined });
    assert.equal(open.security, 'OPEN');
    assert.equal(open.password, undefined);
    w.addAccessPoint({ ssid: 'b', security: 'OPEN', bssid: '02:00:00:00:00:02', rssi: -80 });
    assert.throws(() => w.addAccessPoint({ ssid: 'c', security: 'OPEN', bssid: '02:00:00:00:00:02' }), /two access points/);
    w.removeAccessPoint('02:00:00:00:00:01');
    w.removeAccessPoint('02:00:00:00:00:01'); // gone already: nothing happens
    assert.deepEqual(events, [
      ['changed', '02:00:00:00:00:01', -70],
      ['changed', '02:00:00:00:00:01', -70],
      ['added', '02:00:00:00:00:02', -80],
      ['removed', '02:00:00:00:00:01', -70],
    ]);
  });

  test('time scale multiplies radio delays', async () => {
    const w = makeWorld([], 0.5);
    assert.equal(w.scaled(3000), 1500);
    assert.equal(makeWorld([], 0).scaled(3000), 0);
    const t0 = performance.now();
    await w.wait(100);
    assert.ok(performance.now() - t0 >= 45);
  });
});

describe('DHCP leases', () => {
  const BSSID = '02:00:00:00:00:01';

  test('unique per station MAC, in pool order, and a station keeps its address', () => {
    const w = makeWorld([{ ssid: 'a', security: 'OPEN', bssid: BSSID, dhcp: { gateway: '10.1.2.254', first: 20, last: 22 } }]);
    const a = w.lease(BSSID, 'aa');
    const b = w.lease(BSSID, 'bb');
    assert.deepEqual(a, { ip: '10.1.2.20', mask: '255.255.255.0', gateway: '10.1.2.254', dns: '10.1.2.254' });
    assert.equal(b?.ip, '10.1.2.21');
    assert.equal(w.lease(BSSID, 'aa')?.ip, '10.1.2.20', 'the same station, the same address');
    assert.equal(w.lease(BSSID, 'cc')?.ip, '10.1.2.22');
    assert.equal(w.lease(BSSID, 'dd'), null, 'the pool is exhausted');
    assert.equal(w.lease(BSSID, 'bb')?.ip, '10.1.2.21', 'known stations still get theirs');
    assert.equal(w.lease('02:00:00:00:00:99', 'aa'), null, 'no such AP');
  });

  test('isLeased, the DNS server, and a removed AP forgets its leases', () => {
    const w = makeWorld([{ ssid: 'a', security: 'OPEN', bssid: BSSID, dhcp: { dns: '9.9.9.9' } }]);
    assert.equal(w.isLeased(BSSID, '192.168.1.100'), false);
    assert.equal(w.lease(BSSID, 'aa')?.dns, '9.9.9.9');
    assert.equal(w.lease(BSSID, 'bb')?.ip, '192.168.1.101');
    assert.equal(w.isLeased(BSSID, '192.168.1.100'), true);
    assert.equal(w.isLeased(BSSID, '192.168.1.101'), true);
    assert.equal(w.isLeased(BSSID, '192.168.1.102'), false);
    assert.equal(w.isLeased(BSSID, '192.168.1.1'), false, 'the gateway is not a lease');
    w.removeAccessPoint(BSSID);
    assert.equal(w.isLeased(BSSID, '192.168.1.100'), false);
    w.addAccessPoint({ ssid: 'a', security: 'OPEN', bssid: BSSID });
    assert.equal(w.lease(BSSID, 'bb')?.ip, '192.168.1.100', 'a fresh pool');
  });

  test('modules: distinct MACs get distinct addresses; a module rejoining keeps its own', async () => {
    const w = makeWorld([{ ssid: 'net', password: 'password1', bssid: BSSID, dhcp: { delayMs: 50 } }]);
    const mods = [];
    for (let i = 1; i <= 3; i++) mods.push(await start(w, { mac: `02:00:00:00:10:0${i}`, label: `m${i}` }));
    for (const m of mods) assert.equal((await m.at('AT+QSTAAPINFO=net,password1')).final, 'OK');
    for (const m of mods) assert.deepEqual(await lines(m.host, 2), ['+QSTASTAT:WLAN_CONNECTED', '+QSTASTAT:GOT_IP']);
    const ips = [];
    for (const m of mods) ips.push((await m.at('AT+QGETIP=station')).lines[0]);
    assert.deepEqual(ips.sort(), [
      '+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1',
      '+QGETIP:ip:192.168.1.101,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1',
      '+QGETIP:ip:192.168.1.102,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1',
    ]);
    const before = (await mods[1].at('AT+QGETIP=station')).lines[0];
    await mods[1].at('AT+QSTASTOP');
    assert.deepEqual(await lines(mods[1].host, 1), ['+QSTASTAT:WLAN_DISCONNECTED']);
    await mods[1].at('AT+QSTAAPINFO=net,password1');
    assert.deepEqual(await lines(mods[1].host, 2), ['+QSTASTAT:WLAN_CONNECTED', '+QSTASTAT:GOT_IP']);
    assert.deepEqual((await mods[1].at('AT+QGETIP=station')).lines, [before]);
  });

  test('modules: an exhausted pool leaves the next station associated without an address', async () => {
    const w = makeWorld([{ ssid: 'tiny', security: 'OPEN', bssid: BSSID, dhcp: { first: 7, last: 7, delayMs: 50 } }]);
    const a = await start(w, { mac: '02:00:00:00:10:01', label: 'A' });
    const b = await start(w, { mac: '02:00:00:00:10:02', label: 'B' });
    await a.at('AT+QSTAAPINFO=tiny');
    assert.deepEqual(await lines(a.host, 2), ['+QSTASTAT:WLAN_CONNECTED', '+QSTASTAT:GOT_IP']);
    assert.deepEqual((await a.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.7,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
    await b.at('AT+QSTAAPINFO=tiny');
    assert.deepEqual(await lines(b.host, 1), ['+QSTASTAT:WLAN_CONNECTED']);
    await silence(b.host, 400);
    assert.deepEqual(await b.at('AT+QSTAST'), { lines: ['+QSTAST: STATION_UP'], final: 'OK' });
    assert.deepEqual((await b.at('AT+QGETWIFISTATE')).final, 'OK');
    assert.deepEqual((await b.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:0.0.0.0,gateway:0.0.0.0,mask:0.0.0.0,dns:0.0.0.0']);
    assert.equal((await b.at('AT+QPING=192.168.1.1')).final, 'ERROR', 'no address, no ping');
  });
});
