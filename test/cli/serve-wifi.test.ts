/**
 * `fc41d serve` with Wi-Fi: the world file (or the embedded default), several modules in one
 * world (`--count`), saved APs across restarts, and the provisioning page's URL line.
 * The real CLI is spawned; every wait is for text, with generous time limits.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { moduleMac, offsetMac } from '../../src/device/mac.ts';
import { DEFAULT_WORLD } from '../../src/world/default-world.ts';
import { RANGE_LIMIT_DBM } from '../../src/world/world.ts';
import type { AtHost } from '../helpers/at-host.ts';
import { Cli, cleanUp, host, WAIT_MS } from '../helpers/cli.ts';

const TEST = { timeout: 120_000 };

const dir = mkdtempSync(join(tmpdir(), 'fc41d-serve-wifi-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(cleanUp);

const OFFICE = { ssid: 'Office', security: 'WPA2_AES_PSK', password: 'correct-horse', rssi: -48, channel: 6, bssid: 'f0:9b:b8:32:94:b0' };
const GUEST = { ssid: 'Guest', security: 'OPEN', rssi: -70, channel: 11 };
const OFFICE_SCAN = '+QWSCAN:"Office",WPA2_AES_PSK,48,f0:9b:b8:32:94:b0 ,6';

let worlds = 0;
/** Writes a world file (fast radio: timeScale 0.02) and returns its path. */
function worldFile(world: unknown = { timeScale: 0.02, accessPoints: [OFFICE, GUEST] }): string {
  const path = join(dir, `world-${++worlds}.json`);
  writeFileSync(path, JSON.stringify(world));
  return path;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Starts `fc41d serve` on ephemeral ports; returns it with each module's port. */
async function serve(...args: string[]): Promise<{ cli: Cli; ports: number[] }> {
  // Echo off (a module once told AT+QECHO=0): these tests read answers, not echoes.
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--echo', 'off', ...args]);
  const countAt = args.indexOf('--count');
  const count = countAt < 0 ? 1 : Number(args[countAt + 1]);
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const m = await cli.waitFor(new RegExp(`^fc41d: module ${i} listening on tcp 127\\.0\\.0\\.1:(\\d+)$`, 'm'));
    ports.push(Number(m[1]));
  }
  return { cli, ports };
}

const URC = (event: string) => `\r\n+QSTASTAT:${event}\r\n`;

/** Waits for the URCs of a successful join, and nothing else. */
async function joined(h: AtHost): Promise<void> {
  assert.equal(await h.expect(URC('GOT_IP'), WAIT_MS), URC('WLAN_CONNECTED') + URC('GOT_IP'));
}

test('moduleMac: the default MAC plus 2·i, carrying into the higher octets', () => {
  assert.equal(moduleMac(0), 'c8:47:8c:42:00:48');
  assert.equal(moduleMac(1), 'c8:47:8c:42:00:4a');
  assert.equal(moduleMac(2), 'c8:47:8c:42:00:4c');
  assert.equal(moduleMac(15), 'c8:47:8c:42:00:66');
  assert.equal(offsetMac('c8:47:8c:42:00:fe', 2), 'c8:47:8c:42:01:00');
  assert.equal(offsetMac('c8:47:8c:42:ff:ff', 1), 'c8:47:8c:43:00:00');
  assert.throws(() => moduleMac(-1));
});

test('serve --world: scan, a wrong key, the right key, address and state (§2.1.6, 2.1.13, 2.1.22–2.1.25)', TEST, async () => {
  const world = worldFile();
  const { cli, ports } = await serve('--world', world);
  await cli.waitFor(new RegExp(`^fc41d: world ${escape(world)}$`, 'm'));
  await cli.waitFor(/^fc41d: world has 2 access points$/m);
  const h = await host(ports[0]!);

  const scan = await h.command('AT+QWSCAN', WAIT_MS);
  assert.equal(scan.final, 'OK');
  assert.equal(scan.lines.length, 2, JSON.stringify(scan.lines));
  assert.equal(scan.lines[0], OFFICE_SCAN);
  assert.match(scan.lines[1]!, /^\+QWSCAN:"Guest",OPEN,70,[0-9a-f]{2}(:[0-9a-f]{2}){5} ,11$/);

  assert.deepEqual(await h.command('AT+QSTAAPINFO=Office,wrong-horse', WAIT_MS), { lines: [], final: 'OK' });
  assert.equal(await h.expect(URC('WLAN_DISCONNECTED'), WAIT_MS), URC('WLAN_DISCONNECTED'));
  assert.deepEqual(await h.command('AT+QSTAST', WAIT_MS), { lines: ['+QSTAST: STATION_DOWN'], final: 'OK' });

  assert.deepEqual(await h.command('AT+QSTAAPINFO=Office,correct-horse', WAIT_MS), { lines: [], final: 'OK' });
  await joined(h);
  assert.deepEqual(await h.command('AT+QGETIP=station', WAIT_MS), {
    lines: ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1'],
    final: 'OK',
  });
  assert.deepEqual(await h.command('AT+QGETWIFISTATE', WAIT_MS), {
    lines: ['+QGETWIFISTATE:ssid=Office,bssid=f0:9b:b8:32:94:b0,rssi=-48,channel=6,cipher_type=WPA2_AES_PSK'],
    final: 'OK',
  });
  assert.deepEqual(await h.command('AT+QSTAST', WAIT_MS), { lines: ['+QSTAST: STATION_UP'], final: 'OK' });
  assert.deepEqual(await cli.stop(), { code: 0, signal: null });
});

test('serve: an AP saved with AT+QSTAAPINFODEF is rejoined after a restart with the same --flash (§2.1.23)', TEST, async () => {
  const world = worldFile();
  const flash = join(dir, 'rejoin-flash.json');
  const first = await serve('--world', world, '--flash', flash);
  const a = await host(first.ports[0]!);
  assert.deepEqual(await a.command('AT+QSTAAPINFODEF=Office,correct-horse', WAIT_MS), { lines: [], final: 'OK' });
  await joined(a);
  assert.deepEqual(await first.cli.stop('SIGTERM'), { code: 0, signal: null });

  const second = await serve('--world', world, '--flash', flash);
  const b = await host(second.ports[0]!); // waits for ready
  await joined(b); // without any command
  assert.deepEqual(await b.command('AT+QSTAST', WAIT_MS), { lines: ['+QSTAST: STATION_UP'], final: 'OK' });
});

test('serve --count 2: one world, a soft-AP one module opens is joined by the other; own MACs, flash files, one trace', TEST, async () => {
  const world = worldFile();
  const flash = join(dir, 'pair-flash.json');
  const trace = join(dir, 'pair-trace.jsonl');
  const { cli, ports } = await serve('--count', '2', '--world', world, '--flash', flash, '--trace', trace);
  assert.notEqual(ports[0], ports[1]);
  const [m0, m1] = [await host(ports[0]!), await host(ports[1]!)];

  assert.deepEqual(await m0.command('AT+QWLMAC', WAIT_MS), { lines: ['+QWLMAC:c8:47:8c:42:00:48'], final: 'OK' });
  assert.deepEqual(await m1.command('AT+QWLMAC', WAIT_MS), { lines: ['+QWLMAC:c8:47:8c:42:00:4a'], final: 'OK' });

  assert.deepEqual(await m0.command('AT+QSOFTAP=Lab,12345678', WAIT_MS), { lines: [], final: 'OK' });
  const scan = await m1.command('AT+QWSCAN', WAIT_MS);
  assert.equal(scan.final, 'OK');
  assert.ok(scan.lines.includes('+QWSCAN:"Lab",WPA2_AES_PSK,40,c8:47:8c:42:00:48 ,6'), JSON.stringify(scan.lines));
  assert.ok(scan.lines.includes(OFFICE_SCAN), JSON.stringify(scan.lines));
  const own = await m0.command('AT+QWSCAN', WAIT_MS);
  assert.ok(!own.lines.some((l) => l.startsWith('+QWSCAN:"Lab"')), `a module does not hear its own soft-AP: ${own.lines}`);

  assert.deepEqual(await m1.command('AT+QSTAAPINFODEF=Lab,12345678', WAIT_MS), { lines: [], final: 'OK' });
  await joined(m1);
  const ip = await m1.command('AT+QGETIP=station', WAIT_MS);
  assert.match(ip.lines[0] ?? '', /^\+QGETIP:ip:192\.168\.4\.\d+,gateway:192\.168\.4\.1,mask:255\.255\.255\.0,dns:192\.168\.4\.1$/);
  assert.deepEqual(await m0.command('AT+QSTADHCPDEF=1', WAIT_MS), { lines: [], final: 'OK' }); // writes module 0's flash

  // SIGUSR1 wakes every sleeping module.
  assert.equal((await m0.command('AT+QDEEPSLEEP', WAIT_MS)).final, 'OK');
  assert.equal((await m1.command('AT+QDEEPSLEEP', WAIT_MS)).final, 'OK');
  cli.proc.kill('SIGUSR1');
  await m0.expect('\r\nready\r\n', WAIT_MS);
  await m1.expect('\r\nready\r\n', WAIT_MS);
  await cli.waitFor(/^fc41d: module 0 woken$/m);
  await cli.waitFor(/^fc41d: module 1 woken$/m);
  // Module 1 looks for its saved AP at boot, but module 0's soft-AP went down with its sleep.
  await m1.expect(URC('SCAN_NO_AP'), WAIT_MS);
  assert.equal((await m0.command('AT', WAIT_MS)).final, 'OK');
  assert.deepEqual(await cli.stop(), { code: 0, signal: null });

  assert.equal(existsSync(flash), false, 'with --count 2 the files are PATH-0 and PATH-1');
  const f0 = JSON.parse(readFileSync(`${flash}-0`, 'utf8'));
  const f1 = JSON.parse(readFileSync(`${flash}-1`, 'utf8'));
  assert.equal(f0.wifi.sta, null);
  assert.deepEqual(f1.wifi.sta, { ssid: 'Lab', key: '12345678' });

  const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(new Set(events.map((e) => e.module)), new Set(['module 0', 'module 1']));
  assert.ok(events.some((e) => e.module === 'module 0' && e.command === 'AT+QSOFTAP=Lab,12345678'));
  assert.ok(events.some((e) => e.module === 'module 1' && e.line === '+QWLMAC:c8:47:8c:42:00:4a'));
});

test('serve --count 2 --pty: module i at PATH-i', TEST, async () => {
  const path = join(dir, 'ttyPair');
  const cli = new Cli(['serve', '--count', '2', '--pty', path]);
  assert.equal((await cli.waitFor(/^fc41d: module 0 pty (\S+)$/m))[1], `${path}-0`);
  assert.equal((await cli.waitFor(/^fc41d: module 1 pty (\S+)$/m))[1], `${path}-1`);
  assert.ok(lstatSync(`${path}-0`).isSymbolicLink());
  assert.ok(lstatSync(`${path}-1`).isSymbolicLink());
  assert.deepEqual(await cli.stop(), { code: 0, signal: null });
});

test('serve: a world file that breaks the schema exits 2 naming the file and the field', TEST, async () => {
  const bad = worldFile({ accessPoints: [{ ...OFFICE, rssi: 5 }] });
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--world', bad]);
  assert.equal((await cli.exited).code, 2);
  assert.ok(cli.stderr.includes(bad), cli.stderr);
  assert.ok(cli.stderr.includes('accessPoints[0].rssi'), cli.stderr);
  assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  assert.doesNotMatch(cli.stderr, /^\s+at /m, 'no stack trace');
});

test('serve: --count outside 1–16 and a base port without room exit 2', TEST, async () => {
  for (const args of [['--count', '0'], ['--count', '17'], ['--count', 'two'], ['--count', '2', '--webcfg-port', '65535']]) {
    const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', ...args]);
    assert.equal((await cli.exited).code, 2, `${args.join(' ')}: ${cli.stderr}`);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  }
});

test('serve: AT+QWEBCFG=1 with the soft-AP up prints the page URL; the page lists the world (§2.1.26)', TEST, async () => {
  const { cli, ports } = await serve('--world', worldFile());
  const h = await host(ports[0]!);
  assert.deepEqual(await h.command('AT+QSOFTAP=Setup', WAIT_MS), { lines: [], final: 'OK' });
  assert.deepEqual(await h.command('AT+QWEBCFG=1', WAIT_MS), { lines: [], final: 'OK' });
  const url = (await cli.waitFor(/^fc41d: module 0 webcfg (http:\/\/127\.0\.0\.1:\d+\/)$/m))[1]!;
  const res = await fetch(url, { signal: AbortSignal.timeout(WAIT_MS) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const html = await res.text();
  assert.ok(html.includes('Office'), html);

  assert.deepEqual(await h.command('AT+QWEBCFG=0', WAIT_MS), { lines: [], final: 'OK' });
  await cli.waitFor(/^fc41d: module 0 webcfg stopped$/m);
  assert.deepEqual(await cli.stop(), { code: 0, signal: null });
});

/** A port P with P and P+1 free just now (the OS picks from its ephemeral range, so a clash is unlikely). */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const a = createServer();
    await new Promise<void>((resolve) => a.listen(0, '127.0.0.1', resolve));
    const p = (a.address() as AddressInfo).port;
    const b = createServer();
    const ok =
      p < 65535 &&
      (await new Promise<boolean>((resolve) => {
        b.once('error', () => resolve(false)).listen(p + 1, '127.0.0.1', () => resolve(true));
      }));
    await new Promise((resolve) => a.close(resolve));
    if (ok) await new Promise((resolve) => b.close(resolve));
    if (ok) return p;
  }
}

test('serve --count 2 --webcfg-port P: module i serves its page on P+i', TEST, async () => {
  const base = await twoFreePorts();
  const { cli, ports } = await serve('--count', '2', '--world', worldFile(), '--webcfg-port', String(base));
  for (const [i, port] of ports.entries()) {
    const h = await host(port);
    assert.deepEqual(await h.command(`AT+QSOFTAP=Setup-${i}`, WAIT_MS), { lines: [], final: 'OK' });
    assert.deepEqual(await h.command('AT+QWEBCFG=1', WAIT_MS), { lines: [], final: 'OK' });
    await cli.waitFor(new RegExp(`^fc41d: module ${i} webcfg http://127\\.0\\.0\\.1:${base + i}/$`, 'm'));
  }
  const res = await fetch(`http://127.0.0.1:${base + 1}/`, { signal: AbortSignal.timeout(WAIT_MS) });
  assert.equal(res.status, 200);
  assert.ok((await res.text()).includes('Setup-0'), 'module 1 hears module 0 on its page');
});

test('serve without --world: the embedded default world (npm start)', TEST, async () => {
  const { cli, ports } = await serve();
  await cli.waitFor(/^fc41d: world \(embedded default\)$/m);
  await cli.waitFor(new RegExp(`^fc41d: world has ${DEFAULT_WORLD.accessPoints!.length} access points$`, 'm'));
  const h = await host(ports[0]!);
  const scan = await h.command('AT+QWSCAN', WAIT_MS);
  assert.equal(scan.final, 'OK');
  assert.ok(scan.lines.includes(OFFICE_SCAN), JSON.stringify(scan.lines));
  for (const ap of DEFAULT_WORLD.accessPoints!) {
    if ((ap.rssi ?? -50) < RANGE_LIMIT_DBM) continue;
    assert.ok(scan.lines.some((l) => l.startsWith(`+QWSCAN:"${ap.ssid}",`)), `${ap.ssid} in ${JSON.stringify(scan.lines)}`);
  }
});
