// Every Wi-Fi command of §2.1 (2.1.5, 2.1.6, 2.1.12–2.1.25): the formats of FIDELITY.md byte
// for byte, every error path (wrong form, arity, type, range, length), what is saved in flash
// (AT+QSTADHCPDEF, AT+QSTAAPINFODEF, AirKiss) across a new module on the same flash file,
// AT+QPING's cases, and two modules sharing one world.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { AccessPointInput } from '../../src/index.ts';
import { CONNECTED, DISCONNECTED, ERROR, GOT_IP, lines, makeWorld, type Module, OK, silence, T, useModules, ZEROS } from '../helpers/wifi.ts';
import { wifi } from '../../src/wifi/feature.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-wifi-cmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `power`: a module not yet waited for; `start`: booted. Commands go out (and answers come back) as UTF-8. */
const { power, start } = useModules({ macPrefix: '02:cc:00:00:00:', labelPrefix: 'cmd', utf8: true });

/** The final result only (station URCs that slip in between are ignored). */
async function final(m: Module, line: string): Promise<string> {
  return (await m.at(line)).final;
}

async function expectFinal(m: Module, results: Record<string, 'OK' | 'ERROR'>): Promise<void> {
  for (const [line, want] of Object.entries(results)) assert.equal(await final(m, line), want, line);
}

/** The flash file as JSON; nothing saved yet (no file) reads as {}. */
function flashOf(path: string): { wifi?: { sta?: unknown; dhcp?: boolean } } {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
}

const HOME: AccessPointInput = { ssid: 'home', password: 'password1', rssi: -55, channel: 3, bssid: '02:00:00:00:00:01' };
const LAB: AccessPointInput = { ssid: 'lab', security: 'OPEN', rssi: -60, bssid: '02:00:00:00:00:02', internet: false, dhcp: { gateway: '10.5.0.1' } };

describe('AT+QWSCAN (§2.1.25)', () => {
  const WORLD: AccessPointInput[] = [
    { ssid: 'wep', security: 'WEP', password: 'abcde', rssi: -80, channel: 1, bssid: '02:00:00:00:00:11' },
    { ssid: 'open', security: 'OPEN', rssi: -67, channel: 11, bssid: '02:00:00:00:00:12' },
    { ssid: 'wpa', security: 'WPA_PSK', password: 'password1', rssi: -90, channel: 13, bssid: '02:00:00:00:00:13' },
    { ssid: 'wpa2', security: 'WPA2_AES_PSK', password: 'password1', rssi: -30, channel: 6, bssid: '02:00:00:00:00:14' },
    { ssid: 'mixed', security: 'WPA2_MIXED_PSK', password: 'password1', rssi: 0, channel: 14, bssid: '02:00:00:00:00:15' },
    { ssid: 'sae', security: 'WPA3_SAE', password: 'password1', rssi: -45, channel: 2, bssid: 'AA:BB:CC:DD:EE:FF' },
    { ssid: 'far', security: 'OPEN', rssi: -91, bssid: '02:00:00:00:00:16' },
    { ssid: 'off', security: 'OPEN', rssi: -20, up: false, bssid: '02:00:00:00:00:17' },
  ];

  test('one line per audible AP, strongest first, exact format (quoted SSID, |rssi|, space before the comma)', async () => {
    const m = await start(makeWorld(WORLD));
    assert.deepEqual(await m.at('AT+QWSCAN'), {
      lines: [
        '+QWSCAN:"mixed",WPA2_MIXED_PSK,0,02:00:00:00:00:15 ,14',
        '+QWSCAN:"wpa2",WPA2_AES_PSK,30,02:00:00:00:00:14 ,6',
        '+QWSCAN:"sae",WPA3_SAE,45,aa:bb:cc:dd:ee:ff ,2',
        '+QWSCAN:"open",OPEN,67,02:00:00:00:00:12 ,11',
        '+QWSCAN:"wep",WEP,80,02:00:00:00:00:11 ,1',
        '+QWSCAN:"wpa",WPA_PSK,90,02:00:00:00:00:13 ,13',
      ],
      final: 'OK',
    });
  });

  test('the exact bytes: each line framed by CRLF, then OK', async () => {
    const m = await start(makeWorld([{ ssid: 'a', security: 'OPEN', rssi: -50, channel: 6, bssid: '02:00:00:00:00:01' }]));
    m.host.send('AT+QWSCAN');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QWSCAN:"a",OPEN,50,02:00:00:00:00:01 ,6\r\n\r\nOK\r\n');
  });

  test('SSIDs are printed raw: UTF-8, commas and spaces as they are', async () => {
    const m = await start(
      makeWorld([
        { ssid: 'Café ☕', security: 'OPEN', rssi: -50, bssid: '02:00:00:00:00:01' },
        { ssid: 'a, b', security: 'OPEN', rssi: -60, bssid: '02:00:00:00:00:02' },
      ]),
    );
    assert.deepEqual((await m.at('AT+QWSCAN')).lines, ['+QWSCAN:"Café ☕",OPEN,50,02:00:00:00:00:01 ,6', '+QWSCAN:"a, b",OPEN,60,02:00:00:00:00:02 ,6']);
  });

  test('nothing audible: +QSTASTAT:SCAN_NO_AP then OK (FIDELITY.md); the world changing shows in the next scan', async () => {
    const world = makeWorld([]);
    const m = await start(world);
    const NO_AP = { lines: ['+QSTASTAT:SCAN_NO_AP'], final: 'OK' };
    assert.deepEqual(await m.at('AT+QWSCAN'), NO_AP);
    world.addAccessPoint({ ssid: 'new', security: 'OPEN', rssi: -40, bssid: '02:00:00:00:00:01' });
    assert.deepEqual((await m.at('AT+QWSCAN')).lines, ['+QWSCAN:"new",OPEN,40,02:00:00:00:00:01 ,6']);
    world.updateAccessPoint('02:00:00:00:00:01', { rssi: -95 });
    assert.deepEqual(await m.at('AT+QWSCAN'), NO_AP);
    // Part of the response, not a URC: AT+QURCCFG=0 does not hide it.
    assert.deepEqual(await m.at('AT+QURCCFG=0'), OK);
    assert.deepEqual(await m.at('AT+QWSCAN'), NO_AP);
  });

  test('other forms are errors; lower case works', async () => {
    const m = await start(makeWorld([HOME]));
    assert.deepEqual(await m.at('AT+QWSCAN?'), ERROR);
    assert.deepEqual(await m.at('AT+QWSCAN=1'), ERROR);
    assert.deepEqual(await m.at('AT+QWSCAN=?'), OK);
    assert.equal((await m.at('at+qwscan')).lines.length, 1);
  });
});

describe('AT+QGETIP (§2.1.6)', () => {
  test('station and ap: key:value fields in order, zeros without an address', async () => {
    const m = await start(makeWorld([HOME]));
    assert.deepEqual(await m.at('AT+QGETIP=station'), { lines: [ZEROS], final: 'OK' });
    assert.deepEqual(await m.at('AT+QGETIP=ap'), { lines: [ZEROS], final: 'OK' });
    await m.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
    m.host.send('AT+QGETIP=station');
    assert.equal(
      await m.host.expect('\r\nOK\r\n', T),
      '\r\n+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1\r\n\r\nOK\r\n',
    );
    assert.deepEqual(await m.at('AT+QGETIP=ap'), { lines: [ZEROS], final: 'OK' });
    await m.at('AT+QSOFTAP=bench');
    assert.deepEqual(await m.at('AT+QGETIP=ap'), { lines: ['+QGETIP:ip:192.168.4.1,gateway:192.168.4.1,mask:255.255.255.0,dns:192.168.4.1'], final: 'OK' });
  });

  test('the mode word in any case or quoted; anything else is an error', async () => {
    const m = await start(makeWorld());
    for (const ok of ['AT+QGETIP=STATION', 'AT+QGETIP=Ap', 'AT+QGETIP="station"']) assert.deepEqual(await m.at(ok), { lines: [ZEROS], final: 'OK' }, ok);
    for (const bad of ['AT+QGETIP', 'AT+QGETIP?', 'AT+QGETIP=', 'AT+QGETIP=sta', 'AT+QGETIP=1', 'AT+QGETIP=station,1', 'AT+QGETIP=station ap']) {
      assert.deepEqual(await m.at(bad), ERROR, bad);
    }
    assert.deepEqual(await m.at('AT+QGETIP=?'), { lines: ['+QGETIP:(station,ap)'], final: 'OK' });
  });
});

describe('AT+QGETWIFISTATE, AT+QSTAST, AT+QAPSTATE (§2.1.24, 2.1.13, 2.1.19)', () => {
  test('formats, and ERROR from QGETWIFISTATE when not associated', async () => {
    const m = await start(makeWorld([HOME, LAB]));
    assert.deepEqual(await m.at('AT+QGETWIFISTATE'), ERROR);
    assert.deepEqual(await m.at('AT+QSTAST'), { lines: ['+QSTAST: STATION_DOWN'], final: 'OK' });
    assert.deepEqual(await m.at('AT+QAPSTATE'), { lines: ['+QAPSTATE: SOFTAP_DOWN'], final: 'OK' });
    await m.at('AT+QSTAAPINFO=lab');
    assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
    m.host.send('AT+QGETWIFISTATE');
    assert.equal(
      await m.host.expect('\r\nOK\r\n', T),
      '\r\n+QGETWIFISTATE:ssid=lab,bssid=02:00:00:00:00:02,rssi=-60,channel=6,cipher_type=OPEN\r\n\r\nOK\r\n',
    );
    m.host.send('AT+QSTAST');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QSTAST: STATION_UP\r\n\r\nOK\r\n');
    await m.at('AT+QSOFTAP=bench,benchkey1');
    m.host.send('AT+QAPSTATE');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QAPSTATE: SOFTAP_UP\r\n\r\nOK\r\n');
  });

  test('only the execution form exists', async () => {
    const m = await start(makeWorld());
    for (const bad of ['AT+QGETWIFISTATE?', 'AT+QGETWIFISTATE=1', 'AT+QSTAST?', 'AT+QSTAST=1', 'AT+QAPSTATE?', 'AT+QAPSTATE=1']) {
      assert.deepEqual(await m.at(bad), ERROR, bad);
    }
    for (const t of ['AT+QGETWIFISTATE=?', 'AT+QSTAST=?', 'AT+QAPSTATE=?']) assert.deepEqual(await m.at(t), OK, t);
  });
});

describe('parameter limits: SSID 1–32 bytes, key 8–63 bytes (§2.1.18, 2.1.22, 2.1.23)', () => {
  const s32 = 'S'.repeat(32);
  const k63 = 'k'.repeat(63);
  for (const cmd of ['AT+QSTAAPINFO', 'AT+QSTAAPINFODEF', 'AT+QSOFTAP', 'AT+QSOFATP']) {
    test(cmd, async () => {
      const m = await start(makeWorld());
      await expectFinal(m, {
        [`${cmd}=${s32}`]: 'OK',
        [`${cmd}=${s32}S`]: 'ERROR',
        [`${cmd}=${'é'.repeat(16)}`]: 'OK', // 32 bytes
        [`${cmd}=${'é'.repeat(17)}`]: 'ERROR', // 34 bytes
        [`${cmd}=a,12345678`]: 'OK',
        [`${cmd}=a,1234567`]: 'ERROR',
        [`${cmd}=a,${k63}`]: 'OK',
        [`${cmd}=a,${k63}k`]: 'ERROR',
        [`${cmd}=a,${'é'.repeat(31)}`]: 'OK', // 62 bytes
        [`${cmd}=a,${'é'.repeat(32)}`]: 'ERROR', // 64 bytes
        [`${cmd}=a,12345678,1`]: 'ERROR',
        [`${cmd}=,12345678`]: 'ERROR',
        [`${cmd}=`]: 'ERROR',
        [`${cmd}`]: 'ERROR',
        [`${cmd}?`]: 'ERROR',
        [`${cmd}="a,b","pass word"`]: 'OK', // quoted: commas and spaces inside
        [`${cmd}="a`]: 'ERROR',
      });
      const name = cmd === 'AT+QSOFATP' ? '+QSOFTAP' : cmd.slice(2);
      assert.deepEqual(await m.at(`${cmd}=?`), { lines: [`${name}: <SSID>,<key>`], final: 'OK' });
    });
  }

  test('an empty key is no key (an open AP)', async () => {
    const world = makeWorld();
    const m = await start(world, { mac: '02:cc:00:00:00:f0' });
    assert.deepEqual(await m.at('AT+QSOFTAP=open,'), OK);
    assert.equal(world.find('02:cc:00:00:00:f0')?.security, 'OPEN');
  });
});

describe('IPv4 parameters: AT+QSTASTATIC, AT+QAPSTATIC (§2.1.16, 2.1.20)', () => {
  for (const cmd of ['AT+QSTASTATIC', 'AT+QSTASTSTATIC', 'AT+QAPSTATIC']) {
    test(cmd, async () => {
      const m = await start(makeWorld());
      await expectFinal(m, {
        [`${cmd}=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8`]: 'OK',
        [`${cmd}="192.168.1.50","255.255.255.0","192.168.1.1","8.8.8.8"`]: 'OK',
        [`${cmd}=0.0.0.0,0.0.0.0,0.0.0.0,0.0.0.0`]: 'OK',
        [`${cmd}=192.168.1.256,255.255.255.0,192.168.1.1,8.8.8.8`]: 'ERROR',
        [`${cmd}=192.168.1.50,255.255.255,192.168.1.1,8.8.8.8`]: 'ERROR',
        [`${cmd}=192.168.1.50,255.255.255.0,gateway,8.8.8.8`]: 'ERROR',
        [`${cmd}=192.168.1.50,255.255.255.0,192.168.1.1,::1`]: 'ERROR',
        [`${cmd}=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8.8`]: 'ERROR',
        [`${cmd}=192.168.1.50,255.255.255.0,192.168.1.1`]: 'ERROR',
        [`${cmd}=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8,1`]: 'ERROR',
        [`${cmd}=192.168.1.50,,192.168.1.1,8.8.8.8`]: 'ERROR',
        [`${cmd}=`]: 'ERROR',
        [`${cmd}`]: 'ERROR',
        [`${cmd}?`]: 'ERROR',
      });
      const name = cmd === 'AT+QSTASTSTATIC' ? '+QSTASTATIC' : cmd.slice(2);
      assert.deepEqual(await m.at(`${cmd}=?`), { lines: [`${name}: <IP>,<mask>,<gate>,<DNS>`], final: 'OK' });
    });
  }
});

describe('integer switches: AT+QSTADHCP, AT+QSTADHCPDEF, AT+QAIRKISS (§2.1.14, 2.1.15, 2.1.12)', () => {
  for (const cmd of ['AT+QSTADHCP', 'AT+QSTADHCPDEF', 'AT+QAIRKISS']) {
    test(cmd, async () => {
      const m = await start(makeWorld());
      await expectFinal(m, {
        [`${cmd}=0`]: 'OK',
        [`${cmd}=1`]: 'OK',
        [`${cmd}=2`]: 'ERROR',
        [`${cmd}=-1`]: 'ERROR',
        [`${cmd}="1"`]: 'ERROR',
        [`${cmd}=on`]: 'ERROR',
        [`${cmd}=1.0`]: 'ERROR',
        [`${cmd}=0x1`]: 'ERROR',
        [`${cmd}=1,0`]: 'ERROR',
        [`${cmd}=`]: 'ERROR',
        [`${cmd}`]: 'ERROR',
        [`${cmd}?`]: 'ERROR',
      });
      assert.deepEqual(await m.at(`${cmd}=?`), { lines: [`${cmd.slice(2)}: (0,1)`], final: 'OK' });
    });
  }
});

describe('execution-only commands: AT+QSTASTOP, AT+QSOFTAPSTOP (§2.1.17, 2.1.21)', () => {
  test('forms and aliases', async () => {
    const m = await start(makeWorld());
    await expectFinal(m, {
      'AT+QSTASTOP': 'OK',
      'AT+QSTASTSTOP': 'OK',
      'at+qstastop': 'OK',
      'AT+QSOFTAPSTOP': 'OK',
      'AT+QSTASTOP=1': 'ERROR',
      'AT+QSTASTOP?': 'ERROR',
      'AT+QSOFTAPSTOP=1': 'ERROR',
      'AT+QSOFTAPSTOP?': 'ERROR',
      'AT+QSTASTOP=?': 'OK',
      'AT+QSOFTAPSTOP=?': 'OK',
    });
  });

  test('AT+QSTASTSTOP (alias) leaves like AT+QSTASTOP', async () => {
    const m = await start(makeWorld([HOME]));
    await m.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
    assert.deepEqual(await m.at('AT+QSTASTSTOP'), OK);
    assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  });

  test('AT+QSTASTSTATIC (alias) sets the static address', async () => {
    const m = await start(makeWorld([HOME]));
    await m.at('AT+QSTADHCP=0');
    assert.deepEqual(await m.at('AT+QSTASTSTATIC=192.168.1.77,255.255.255.0,192.168.1.1,192.168.1.1'), OK);
    await m.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
    assert.deepEqual((await m.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.77,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
  });
});

describe('AT+QPING (§2.1.5)', () => {
  test('ERROR without an address', async () => {
    const m = await start(makeWorld([HOME]));
    assert.deepEqual(await m.at('AT+QPING=127.0.0.1'), ERROR);
    assert.deepEqual(await m.at('AT+QPING=192.168.1.1'), ERROR);
  });

  test('on an AP with internet: own address, gateway, another station, loopback probed for real; not an unleased LAN address', async () => {
    const world = makeWorld([HOME]);
    const a = await start(world);
    const b = await start(world);
    for (const m of [a, b]) {
      await m.at('AT+QSTAAPINFO=home,password1');
      assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
    }
    assert.deepEqual((await b.at('AT+QGETIP=station')).lines, ['+QGETIP:ip:192.168.1.101,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1']);
    await expectFinal(a, {
      'AT+QPING=192.168.1.100': 'OK', // itself
      'AT+QPING=192.168.1.1': 'OK', // the gateway
      'AT+QPING="192.168.1.101"': 'OK', // the other station, quoted
      'AT+QPING=192.168.1.150': 'ERROR', // nobody has this lease
      'AT+QPING=192.168.1.2': 'ERROR',
      'AT+QPING=127.0.0.1': 'OK', // outside the LAN: a real TCP probe, refused or answered
    });
  });

  test('on an AP without internet: outside addresses do not answer, the LAN does', async () => {
    const m = await start(makeWorld([LAB]));
    await m.at('AT+QSTAAPINFO=lab');
    assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
    await expectFinal(m, {
      'AT+QPING=10.5.0.1': 'OK',
      'AT+QPING=10.5.0.100': 'OK',
      'AT+QPING=127.0.0.1': 'ERROR',
    });
  });

  test('the address must be dotted IPv4', async () => {
    const m = await start(makeWorld());
    for (const bad of ['AT+QPING', 'AT+QPING=', 'AT+QPING?', 'AT+QPING=localhost', 'AT+QPING=::1', 'AT+QPING=127.0.0', 'AT+QPING=127.0.0.256', 'AT+QPING=127.0.0.1,4']) {
      assert.deepEqual(await m.at(bad), ERROR, bad);
    }
    assert.deepEqual(await m.at('AT+QPING=?'), { lines: ['+QPING: "IP"'], final: 'OK' });
  });
});

describe('saved settings across a new module on the same flash file', () => {
  test('AT+QSTADHCPDEF is saved; AT+QSTADHCP is not', async () => {
    const flashPath = join(dir, 'dhcpdef.json');
    const world = makeWorld([HOME]);
    const mac = '02:cc:00:00:01:01';
    const a = await start(world, { mac, flashPath });
    assert.deepEqual(await a.at('AT+QSTADHCPDEF=0'), OK);
    assert.equal(flashOf(flashPath).wifi?.dhcp, false);
    a.close();

    const b = await start(world, { mac, flashPath });
    await b.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(b.host, 1), [CONNECTED]);
    await silence(b.host);
    assert.deepEqual((await b.at('AT+QGETIP=station')).lines, [ZEROS], 'DHCP is off after the reboot');
    assert.deepEqual(await b.at('AT+QSTADHCP=1'), OK);
    assert.deepEqual(await lines(b.host, 1), [GOT_IP]);
    assert.equal(flashOf(flashPath).wifi?.dhcp, false, 'AT+QSTADHCP does not save');
    b.close();

    const c = await start(world, { mac, flashPath });
    await c.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(c.host, 1), [CONNECTED]);
    assert.deepEqual(await c.at('AT+QSTADHCPDEF=1'), OK);
    assert.deepEqual(await lines(c.host, 1), [GOT_IP]);
    assert.equal(flashOf(flashPath).wifi?.dhcp, true);
    c.close();

    const d = await start(world, { mac, flashPath });
    await d.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(d.host, 2), [CONNECTED, GOT_IP]);
  });

  test('AT+QSTAAPINFODEF is saved: a new module says ready, then rejoins with its lease', async () => {
    const flashPath = join(dir, 'apinfodef.json');
    const world = makeWorld([HOME]);
    const mac = '02:cc:00:00:01:02';
    const a = await start(world, { mac, flashPath });
    assert.deepEqual(await a.at('AT+QSTAAPINFODEF=home,password1'), OK);
    assert.deepEqual(flashOf(flashPath).wifi?.sta, { ssid: 'home', key: 'password1' });
    assert.deepEqual(await lines(a.host, 2), [CONNECTED, GOT_IP]);
    const ip = (await a.at('AT+QGETIP=station')).lines;
    a.close();

    const b = power(world, { mac, flashPath });
    assert.deepEqual(await lines(b.host, 3), ['ready', CONNECTED, GOT_IP]);
    assert.deepEqual((await b.at('AT+QGETIP=station')).lines, ip);
    assert.deepEqual((await b.at('AT+QGETWIFISTATE')).lines, ['+QGETWIFISTATE:ssid=home,bssid=02:00:00:00:00:01,rssi=-55,channel=3,cipher_type=WPA2_AES_PSK']);
  });

  test('a saved AP that is not there at boot: ready, SCAN_NO_AP, and joined when it appears', async () => {
    const flashPath = join(dir, 'apinfodef-later.json');
    const world = makeWorld([]);
    const a = await start(world, { flashPath });
    await a.at('AT+QSTAAPINFODEF=home,password1');
    assert.deepEqual(await lines(a.host, 1), ['+QSTASTAT:SCAN_NO_AP']);
    a.close();
    const b = power(world, { flashPath });
    assert.deepEqual(await lines(b.host, 2), ['ready', '+QSTASTAT:SCAN_NO_AP']);
    world.addAccessPoint(HOME);
    assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
  });

  test('AT+QSTAAPINFO is not saved, and does not replace a saved AP', async () => {
    const flashPath = join(dir, 'apinfo.json');
    const world = makeWorld([HOME, LAB]);
    const a = await start(world, { flashPath });
    await a.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(a.host, 2), [CONNECTED, GOT_IP]);
    assert.equal(flashOf(flashPath).wifi?.sta ?? null, null);
    a.close();
    const b = await start(world, { flashPath });
    await silence(b.host);
    assert.deepEqual((await b.at('AT+QSTAST')).lines, ['+QSTAST: STATION_DOWN']);
    await b.at('AT+QSTAAPINFODEF=lab');
    assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
    assert.deepEqual(flashOf(flashPath).wifi?.sta, { ssid: 'lab' });
    await b.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(b.host, 3), [DISCONNECTED, CONNECTED, GOT_IP]);
    assert.deepEqual(flashOf(flashPath).wifi?.sta, { ssid: 'lab' });
    b.close();
    const c = power(world, { flashPath });
    assert.deepEqual(await lines(c.host, 3), ['ready', CONNECTED, GOT_IP]);
    assert.match((await c.at('AT+QGETWIFISTATE')).lines[0], /^\+QGETWIFISTATE:ssid=lab,/);
  });
});

describe('AirKiss (§2.1.12)', () => {
  test('credentials are taken only after AT+QAIRKISS=1, once; the module joins and saves them', async () => {
    const flashPath = join(dir, 'airkiss.json');
    const world = makeWorld([HOME]);
    const a = await start(world, { flashPath });
    assert.equal(a.module.service(wifi).deliverAirkiss('home', 'password1'), false, 'not enabled');
    await silence(a.host, 200);
    assert.deepEqual(await a.at('AT+QAIRKISS=1'), OK);
    assert.equal(a.module.service(wifi).deliverAirkiss('home', 'password1'), true);
    assert.deepEqual(await lines(a.host, 2), [CONNECTED, GOT_IP]);
    assert.deepEqual(flashOf(flashPath).wifi?.sta, { ssid: 'home', key: 'password1' });
    assert.equal(a.module.service(wifi).deliverAirkiss('home', 'password1'), false, 'one delivery per AT+QAIRKISS=1');
    a.close();
    const b = power(world, { flashPath });
    assert.deepEqual(await lines(b.host, 3), ['ready', CONNECTED, GOT_IP]);
  });

  test('AT+QAIRKISS=0 and AT+QRST stop waiting', async () => {
    const m = await start(makeWorld([HOME]));
    await m.at('AT+QAIRKISS=1');
    await m.at('AT+QAIRKISS=0');
    assert.equal(m.module.service(wifi).deliverAirkiss('home', 'password1'), false);
    await m.at('AT+QAIRKISS=1');
    await m.at('AT+QRST');
    assert.deepEqual(await lines(m.host, 1), ['ready']);
    assert.equal(m.module.service(wifi).deliverAirkiss('home', 'password1'), false);
    await silence(m.host, 200);
  });

  test('wrong credentials are reported like a join with a wrong key', async () => {
    const m = await start(makeWorld([HOME]));
    await m.at('AT+QAIRKISS=1');
    assert.equal(m.module.service(wifi).deliverAirkiss('home', 'password2'), true);
    assert.deepEqual(await lines(m.host, 1), [DISCONNECTED]);
  });

  test('an open AP, no key', async () => {
    const m = await start(makeWorld([LAB]));
    await m.at('AT+QAIRKISS=1');
    assert.equal(m.module.service(wifi).deliverAirkiss('lab', undefined), true);
    assert.deepEqual(await lines(m.host, 2), [CONNECTED, GOT_IP]);
  });
});

describe('two modules in one world', () => {
  test('distinct MACs: each reports its own, gets a distinct lease, and they reach each other', async () => {
    const world = makeWorld([HOME]);
    const a = await start(world, { mac: '02:cc:00:00:02:01', label: 'A' });
    const b = await start(world, { mac: '02:cc:00:00:02:02', label: 'B' });
    assert.deepEqual(await a.at('AT+QWLMAC'), { lines: ['+QWLMAC:02:cc:00:00:02:01'], final: 'OK' });
    assert.deepEqual(await b.at('AT+QWLMAC'), { lines: ['+QWLMAC:02:cc:00:00:02:02'], final: 'OK' });
    await a.at('AT+QSTAAPINFO=home,password1');
    await b.at('AT+QSTAAPINFO=home,password1');
    assert.deepEqual(await lines(a.host, 2), [CONNECTED, GOT_IP]);
    assert.deepEqual(await lines(b.host, 2), [CONNECTED, GOT_IP]);
    const ipA = (await a.at('AT+QGETIP=station')).lines[0];
    const ipB = (await b.at('AT+QGETIP=station')).lines[0];
    assert.match(ipA, /^\+QGETIP:ip:192\.168\.1\.1\d\d,gateway:192\.168\.1\.1,mask:255\.255\.255\.0,dns:192\.168\.1\.1$/);
    assert.match(ipB, /^\+QGETIP:ip:192\.168\.1\.1\d\d,/);
    assert.notEqual(ipA, ipB);
    const addr = (line: string) => /ip:([\d.]+)/.exec(line)![1];
    assert.equal(await final(a, `AT+QPING=${addr(ipB)}`), 'OK');
    assert.equal(await final(b, `AT+QPING=${addr(ipA)}`), 'OK');
  });
});
