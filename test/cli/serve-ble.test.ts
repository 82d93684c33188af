/**
 * Issue 12's "done when", as a new user would check it: `fc41d serve --count 2`, module 1 set up
 * as in example 4.2.1.1, module 0 as the central of 4.2.2.1, data both ways, a disconnect, then
 * Wi-Fi configuration through BLE (4.2.3) making module 1 join Office. The real CLI over TCP, the
 * embedded default world at its real time scale.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { afterEach, test } from 'node:test';
import type { AtHost } from '../helpers/at-host.ts';
import { Cli, cleanUp, host, WAIT_MS } from '../helpers/cli.ts';

afterEach(cleanUp);

async function twoModules(...args: string[]): Promise<{ central: AtHost; peripheral: AtHost }> {
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--echo', 'off', '--count', '2', '--no-broker', '--no-httpbin', ...args]);
  const ports: number[] = [];
  for (const i of [0, 1]) {
    const m = await cli.waitFor(new RegExp(`^fc41d: module ${i} listening on tcp 127\\.0\\.0\\.1:(\\d+)$`, 'm'));
    ports.push(Number(m[1]));
  }
  return { central: await host(ports[0]!), peripheral: await host(ports[1]!) };
}

async function ok(h: AtHost, line: string): Promise<void> {
  assert.deepEqual(await h.command(line, WAIT_MS), { lines: [], final: 'OK' }, line);
}

/** Stops a scan: the default world's HRM-1 sensor may still be reported before the OK. */
async function stopScan(h: AtHost): Promise<void> {
  const r = await h.command('AT+QBLESCAN=0', WAIT_MS);
  assert.equal(r.final, 'OK');
  for (const line of r.lines) assert.match(line, /^\+QBLESCAN:/);
}

test('serve --count 2: 4.2.1 peripheral, 4.2.2 central, data both ways, disconnect, then 4.2.3 Wi-Fi over BLE', { timeout: 120_000 }, async () => {
  const { central, peripheral } = await twoModules();

  // Example 4.2.1.1 on module 1 (with the manual's misspellings, which real hosts copy).
  for (const line of ['AT+QBLEDINIT=2', 'AT+QBLENNAME=QuecFC41D', 'AT+QBLEDGATTSSRV=fff1', 'AT+QBLEDGATTSCCHAR=fff2', 'AT+QBLEDGATTSCCHAR=fff3', 'AT+QBLEDADVPARAM=150,150', 'AT+QBLEADVSTART']) {
    await ok(peripheral, line);
  }
  assert.deepEqual(await peripheral.command('AT+QBLEDADDR?'), { lines: ['+QBLEADDR:c8:47:8c:42:00:4b'], final: 'OK' });

  // Example 4.2.2.1 on module 0.
  await ok(central, 'AT+QBLEINIT=1');
  await ok(central, 'AT+QBLESCAN=1');
  await central.expect('\r\n+QBLESCAN:QuecFC41D,0,c8478c42004b\r\n', WAIT_MS);
  await stopScan(central);
  await ok(central, 'AT+QBLECONN=0,c8478c42004b');
  const connected = await central.expect(/\+QBLEINFO: \d+ fff3\r\n/, WAIT_MS);
  assert.match(connected, /^\r\n\+QBLEMTU:<250>\r\n\r\n\+QBLESTAT:CONNECTED\r\n(\r\n\+QBLEINFO: \d+ [0-9a-f]{4}\r\n)+$/, connected);
  assert.match(connected, /\+QBLEINFO: \d+ fff2\r\n/);
  await peripheral.expect('\r\n+QBLESTAT:CONNECTED\r\n', WAIT_MS);

  // 4.2.1.3 / 4.2.2.3: a write reaches the peripheral's UART raw; a notification the central's.
  await ok(central, 'AT+QBLEGATTCWR=fff2,hello');
  assert.equal(await peripheral.expect('hello', WAIT_MS), 'hello');
  await ok(peripheral, 'AT+QBLEGATTSNTFY=fff3,from fc41d');
  assert.equal(await central.expect('from fc41d', WAIT_MS), 'from fc41d');

  await ok(central, 'AT+QBLEDISCONN');
  await peripheral.expect('\r\n+QBLESTAT:DISCONNECTED\r\n', WAIT_MS);
  await central.expect('\r\n+QBLESTAT:DISCONNECTED\r\n', WAIT_MS);

  // Example 4.2.3: module 1 in role 3, module 0 writes AT text to ff01.
  await ok(peripheral, 'AT+QBLEINIT=0');
  await ok(peripheral, 'AT+QBLEINIT=3');
  await ok(central, 'AT+QBLESCAN=1');
  await central.expect('\r\n+QBLESCAN:QuecFC41D,0,c8478c42004b\r\n', WAIT_MS);
  await stopScan(central);
  await ok(central, 'AT+QBLECONN=0,c8478c42004b');
  await central.expect(/\+QBLEINFO: \d+ ff02\r\n/, WAIT_MS);
  await ok(central, 'AT+QBLEGATTCWR=ff01,AT+QSTAAPINFO=Office\\,correct-horse');
  await peripheral.expect('\r\n+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  const notified = await central.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  assert.match(notified, /AT\+QSTAAPINFO=Office,correct-horseOK\r\n\+QSTASTAT:WLAN_CONNECTED\r\n\+QSTASTAT:GOT_IP\r\n$/, JSON.stringify(notified));
  const state = await peripheral.command('AT+QGETWIFISTATE', WAIT_MS);
  assert.match(state.lines[0] ?? '', /^\+QGETWIFISTATE:ssid=Office,/);
});

test('serve --world examples/heart-rate.world.json: a central-role host finds the virtual sensor, reads it and gets its readings', { timeout: 60_000 }, async () => {
  const world = fileURLToPath(new URL('../../examples/heart-rate.world.json', import.meta.url));
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--echo', 'off', '--world', world, '--no-broker', '--no-httpbin']);
  await cli.waitFor(/^fc41d: world has 1 BLE peer$/m);
  const m = await cli.waitFor(/^fc41d: module 0 listening on tcp 127\.0\.0\.1:(\d+)$/m);
  const h = await host(Number(m[1]));

  await ok(h, 'AT+QBLEINIT=1');
  await ok(h, 'AT+QBLESCAN=2,1000');
  // Mode 2 adds the advertising data: flags, then the complete local name.
  await h.expect(`\r\n+QBLESCAN:HRM-1,1,d0123456789a,020106060948524d2d31\r\n`, WAIT_MS);
  await ok(h, 'AT+QBLECONN=1,d0:12:34:56:78:9a');
  const connected = await h.expect(/\+QBLEINFO: \d+ 2a19\r\n/, WAIT_MS);
  assert.match(connected, /^\r\n\+QBLEMTU:<247>\r\n\r\n\+QBLESTAT:CONNECTED\r\n/);
  for (const uuid of ['2a00', '2a37', '2a38', '2a19']) assert.match(connected, new RegExp(`\\+QBLEINFO: \\d+ ${uuid}\\r\\n`), uuid);
  // Notifications (switched on at connection) come raw: 00 48, 00 49, … one a second.
  const readings = await h.expect('\x00I', WAIT_MS);
  assert.ok(readings.endsWith('\x00H\x00I'), JSON.stringify(readings));
  // A read: OK, then the value raw (the battery level, 0x5a).
  h.send('AT+QBLEGATTCRD=2a19');
  assert.match(await h.expect('Z', WAIT_MS), /^\r\nOK\r\n(\x00[J-K])*Z$/);
  await ok(h, 'AT+QBLEDISCONN');
  await h.expect('\r\n+QBLESTAT:DISCONNECTED\r\n', WAIT_MS);
});

test('--ble-config-uuids: role 3 serves the given service and characteristics; a bad list stops the CLI (exit 2)', { timeout: 60_000 }, async () => {
  const bad = new Cli(['serve', '--tcp', '127.0.0.1:0', '--ble-config-uuids', 'ff00,ff01']);
  assert.equal((await bad.exited).code, 2);
  assert.match(bad.stderr, /--ble-config-uuids.*three UUIDs/);

  const { central, peripheral } = await twoModules('--ble-config-uuids', 'a000,A001,a002');
  await ok(peripheral, 'AT+QBLEINIT=3');
  await ok(central, 'AT+QBLEINIT=1');
  await ok(central, 'AT+QBLECONN=0,c8478c42004b');
  const table = await central.expect(/\+QBLEINFO: \d+ a002\r\n/, WAIT_MS);
  assert.match(table, /\+QBLEINFO: \d+ a001\r\n/);
  assert.doesNotMatch(table, /ff0[12]/);
  await ok(central, 'AT+QBLEGATTCWR=a001,AT+QBLENAME?');
  assert.equal(await central.expect('OK\r\n', WAIT_MS), 'AT+QBLENAME?+QBLENAME: FC41D\r\nOK\r\n');
});
