/**
 * Roles, states and settings of the BLE commands (§2.2.1, §2.2.6–2.2.9, §2.2.11–2.2.15,
 * §2.2.19–2.2.20): what each role allows, AT+QBLESTAT through a module's life, the 18 s connect
 * timeout and the scan timeout on a hand-driven clock, AT+QURCCFG=0, reset, de-initialisation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { createModule, type World } from '../../src/index.ts';
import { AtHost, splitLines } from '../helpers/at-host.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { T } from '../helpers/wifi.ts';
import { BLE_1, bleWorld, connect, examplePeripheral, expectAt, expectRaw, useBleModules } from './rig.ts';

const { pair, start } = useBleModules();

const stat = async (m: { at(line: string): Promise<{ lines: string[] }> }) => (await m.at('AT+QBLESTAT')).lines[0];

test('AT+QBLEINIT: roles 1–3, the same role again, another only after 0; the query; defaults any time', async () => {
  const m = await start(bleWorld());
  assert.equal(await stat(m), '+QBLESTAT:NOINIT');
  assert.deepEqual(await m.at('AT+QBLEINIT?'), { lines: ['+QBLEINIT: 0'], final: 'OK' });
  assert.deepEqual(await m.at('AT+QBLENAME?'), { lines: ['+QBLENAME: FC41D'], final: 'OK' });
  assert.deepEqual(await m.at('AT+QBLECFGMTU?'), { lines: ['+QBLECFGMTU: 250'], final: 'OK' });
  assert.deepEqual(await m.at('AT+QBLEADDR?'), { lines: ['+QBLEADDR:c8:47:8c:42:00:49'], final: 'OK' });
  await expectAt(m, 'AT+QBLEINIT=0', 'ERROR'); // not initialised
  await expectAt(m, 'AT+QBLESCAN=0'); // stopping is always fine
  await expectAt(m, 'AT+QBLEINIT=1');
  assert.equal(await stat(m), '+QBLESTAT:INIT');
  await expectAt(m, 'AT+QBLEINIT=1');
  await expectAt(m, 'AT+QBLEINIT=2', 'ERROR');
  await expectAt(m, 'AT+QBLEINIT=4', 'ERROR');
  assert.deepEqual(await m.at('AT+QBLEINIT?'), { lines: ['+QBLEINIT: 1'], final: 'OK' });
  await expectAt(m, 'AT+QBLEINIT=0');
  assert.equal(await stat(m), '+QBLESTAT:NOINIT');
  await expectAt(m, 'AT+QBLEINIT=2');
  assert.deepEqual(await m.at('AT+QBLEINIT?'), { lines: ['+QBLEINIT: 2'], final: 'OK' });
});

test('each command in its role only: peripheral commands in role 1, central commands in role 2 → ERROR', async () => {
  const m = await start(bleWorld());
  const peripheralOnly = ['AT+QBLEADVPARAM=150,150', 'AT+QBLEADVDATA=0201060403414243', 'AT+QBLEGATTSSRV=fff1', 'AT+QBLEADVSTART', 'AT+QBLEADVSTOP', 'AT+QBLEGATTSNTFY=fff3,x'];
  const centralOnly = ['AT+QBLESCAN=1', 'AT+QBLESCANPARAM=100,30', 'AT+QBLECONN=0,c8478c42004b', 'AT+QBLECONNPARAM=30,500,0', 'AT+QBLECFGMTU=100', 'AT+QBLEGATTCNTFCFG=fff3,1', 'AT+QBLEGATTCWR=fff2,x', 'AT+QBLEGATTCRD=fff2'];
  for (const line of [...peripheralOnly, ...centralOnly, 'AT+QBLEDISCONN', 'AT+QBLETRANMODE=fff2']) await expectAt(m, line, 'ERROR');
  await expectAt(m, 'AT+QBLEINIT=1');
  for (const line of peripheralOnly) await expectAt(m, line, 'ERROR');
  for (const line of ['AT+QBLESCANPARAM=100,30', 'AT+QBLECONNPARAM=30,500,0', 'AT+QBLECFGMTU=100']) await expectAt(m, line);
  assert.deepEqual(await m.at('AT+QBLECFGMTU?'), { lines: ['+QBLECFGMTU: 100'], final: 'OK' });
  await expectAt(m, 'AT+QBLEINIT=0');
  await expectAt(m, 'AT+QBLEINIT=3');
  for (const line of [...centralOnly, 'AT+QBLEGATTSSRV=fff1']) await expectAt(m, line, 'ERROR'); // role 3 has its own table
  await expectAt(m, 'AT+QBLEADVPARAM=32,16384');
});

test('the peripheral\'s table: one service until de-init, characteristics after it, each once', async () => {
  const m = await start(bleWorld());
  await expectAt(m, 'AT+QBLEINIT=2');
  await expectAt(m, 'AT+QBLEGATTSCHAR=fff2', 'ERROR'); // no service yet
  await expectAt(m, 'AT+QBLEGATTSSRV=fff1');
  await expectAt(m, 'AT+QBLEGATTSSRV=fff5', 'ERROR'); // only one
  await expectAt(m, 'AT+QBLEGATTSCHAR=fff2');
  await expectAt(m, 'AT+QBLEGATTSCHAR=FFF2', 'ERROR'); // the same, in capitals
  await expectAt(m, 'AT+QBLEGATTSCHAR=0000fff3-0000-1000-8000-00805f9b34fb,10'); // dashed 128-bit, an ignored property number
  await expectAt(m, 'AT+QBLEGATTSCHAR=fff3', 'ERROR'); // that was fff3 on the base UUID
  await expectAt(m, 'AT+QBLEGATTSSRVDONE');
  await expectAt(m, 'AT+QBLEINIT=0');
  await expectAt(m, 'AT+QBLEINIT=2');
  await expectAt(m, 'AT+QBLEGATTSSRV=fff5');
});

test('AT+QBLESTAT through advertising, a connection and its end; ADVSTOP during a link means no advertising after it', async () => {
  const { a, b } = await pair();
  await examplePeripheral(a);
  assert.equal(await stat(a), '+QBLESTAT:ADVERTISING');
  await expectAt(a, 'AT+QBLEADVSTOP');
  assert.equal(await stat(a), '+QBLESTAT:NOADVERTISING');
  await expectAt(a, 'AT+QBLEADVSTART');
  await connect(a, b);
  await expectAt(a, 'AT+QBLEADVSTART', 'ERROR'); // connected
  await expectAt(b, `AT+QBLECONN=0,${BLE_1}`, 'ERROR'); // already connected
  await expectAt(a, 'AT+QBLEADVSTOP');
  assert.equal(await stat(a), '+QBLESTAT:CONNECTED');
  await expectAt(b, 'AT+QBLEDISCONN');
  await a.host.expect('+QBLESTAT:DISCONNECTED\r\n', T);
  await b.host.expect('+QBLESTAT:DISCONNECTED\r\n', T);
  assert.equal(await stat(a), '+QBLESTAT:NOADVERTISING');
  await expectAt(b, 'AT+QBLEDISCONN', 'ERROR'); // nothing to end
  await expectAt(a, 'AT+QBLEDISCONN', 'ERROR');
});

test('raw data is not a URC: AT+QURCCFG=0 silences +QBLESTAT but not what the peer sends', async () => {
  const { a, b } = await pair();
  await examplePeripheral(a);
  await expectAt(a, 'AT+QURCCFG=0');
  await expectAt(b, 'AT+QBLEINIT=1');
  await expectAt(b, `AT+QBLECONN=0,${BLE_1}`);
  await b.host.expect('+QBLEINFO: 17 fff3\r\n', T);
  await expectAt(b, 'AT+QBLEGATTCWR=fff2,still here');
  assert.equal(await a.host.expect('still here', T), 'still here', 'no +QBLESTAT:CONNECTED before it');
  await expectAt(a, 'AT+QURCCFG=1');
});

test('AT+QBLEINIT=0 while connected: the peer hears the link end; this side prints nothing', async () => {
  const { a, b } = await pair();
  await examplePeripheral(a);
  await connect(a, b);
  await expectAt(b, 'AT+QBLEINIT=0');
  assert.equal(await a.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
  assert.equal(await stat(b), '+QBLESTAT:NOINIT');
  assert.doesNotMatch(b.host.unread, /DISCONNECTED/);
});

test('a reset forgets BLE: NOINIT, the default name; the peer loses the link after its supervision timeout', async () => {
  const { a, b } = await pair();
  await examplePeripheral(a);
  await connect(a, b);
  await expectAt(a, 'AT+QRST');
  await a.host.expect('\r\nready\r\n', T);
  assert.equal(await b.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
  assert.equal(await stat(a), '+QBLESTAT:NOINIT');
  assert.deepEqual(await a.at('AT+QBLENAME?'), { lines: ['+QBLENAME: FC41D'], final: 'OK' });
  await expectAt(a, 'AT+QBLEINIT=2'); // the radio attaches again at the same address
});

/** A module on a hand-driven clock shared with its world (timeScale 1: radio time is real time). */
async function clocked(opts: { clock?: FakeClock; world?: World; mac?: string } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const world = opts.world ?? bleWorld({ timeScale: 1 }, clock);
  const m = createModule({ bootMs: 5, echo: false, world, clock, ...(opts.mac ? { mac: opts.mac } : {}) });
  const host = new AtHost(m.stream);
  clock.advance(5);
  await host.expect('\r\nready\r\n', T);
  const advance = async (ms: number) => {
    await tick();
    clock.advance(ms);
    await tick();
  };
  return { ...m, host, clock, world, advance, at: (line: string) => host.command(line, T) };
}

test('§2.2.13: nobody advertising at the address → +QBLESTAT:DISCONNECTED after 18 s, not before', async () => {
  const m = await clocked();
  try {
    await expectAt(m, 'AT+QBLEINIT=1');
    await expectAt(m, 'AT+QBLECONN=1,d0:12:34:56:78:9a');
    await expectAt(m, 'AT+QBLECONN=1,d0:12:34:56:78:9a', 'ERROR'); // connecting
    await m.advance(17_999);
    assert.equal(m.host.unread, '');
    await m.advance(1);
    assert.equal(await m.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
    assert.equal(await stat(m), '+QBLESTAT:DISCONNECTED');
    // AT+QBLEDISCONN while connecting cancels at once.
    await expectAt(m, 'AT+QBLECONN=1,d0123456789a');
    await expectAt(m, 'AT+QBLEDISCONN');
    assert.equal(await m.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
    await m.advance(20_000);
    assert.equal(m.host.unread, '', 'the cancelled attempt says nothing more');
  } finally {
    m.close();
  }
});

test('advertising follows AT+QBLEADVDATA and AT+QBLENAME at once; mode 2 prints advertising data and scan response', async () => {
  const b = await clocked();
  const a = await clocked({ world: b.world, clock: b.clock, mac: '02:00:00:00:00:10' });
  try {
    await expectAt(a, 'AT+QBLEINIT=2');
    await expectAt(a, 'AT+QBLEADVPARAM=160,160'); // 100 ms
    await expectAt(a, 'AT+QBLEADVSTART');
    await expectAt(b, 'AT+QBLEINIT=1');
    await expectAt(b, 'AT+QBLESCAN=2,10000');
    const heard = async () => {
      await b.advance(100);
      return splitLines(await b.host.expect(/\+QBLESCAN:[^\r]*\r\n/, T))[0];
    };
    const hex = (text: string) => Buffer.from(text).toString('hex');
    // Default: flags, then the complete name; the scan response carries the name.
    assert.equal(await heard(), `+QBLESCAN:FC41D,0,020000000011,020106060946433431440609${hex('FC41D')}`);
    await expectAt(a, 'AT+QBLEADVDATA=0201060AFF414243444546474849');
    assert.equal(await heard(), `+QBLESCAN:FC41D,0,020000000011,0201060aff4142434445464748490609${hex('FC41D')}`);
    await expectAt(a, 'AT+QBLENAME=Renamed');
    assert.equal(await heard(), `+QBLESCAN:Renamed,0,020000000011,0201060aff4142434445464748490809${hex('Renamed')}`);
    await b.advance(1000);
    assert.equal(b.host.unread, '', 'nothing new: nothing printed');
  } finally {
    a.close();
    b.close();
  }
});

test('§2.2.11: a scan with a timeout stops by itself; each device once per scan', async () => {
  const m = await clocked();
  try {
    m.world.ble.addPeer({ name: 'Tag', advertising: { intervalMs: 100 } });
    await expectAt(m, 'AT+QBLEINIT=1');
    await expectAt(m, 'AT+QBLESCAN=1,500');
    await m.advance(450);
    assert.match(await m.host.expect(/\+QBLESCAN:[^\r]*\r\n/, T), /\+QBLESCAN:Tag,1,[0-9a-f]{12}\r\n$/);
    assert.equal(m.host.unread, '', 'heard four times, printed once');
    assert.deepEqual(await m.at('AT+QBLESCAN?'), { lines: ['+QBLESCAN:1'], final: 'OK' });
    await m.advance(50);
    assert.deepEqual(await m.at('AT+QBLESCAN?'), { lines: ['+QBLESCAN:0'], final: 'OK' });
    await expectAt(m, 'AT+QBLESCAN=1');
    await m.advance(100);
    await m.host.expect(/\+QBLESCAN:Tag,[^\r]*\r\n/, T); // a new scan hears it again
    await expectAt(m, 'AT+QBLESCAN=2', 'ERROR'); // mode 2 needs its timeout
    await expectAt(m, 'AT+QBLESCAN=1,499', 'ERROR');
  } finally {
    m.close();
  }
});

test('the central\'s raw data waits while a command runs, and goes out after its answer', async () => {
  const { a, b } = await pair();
  await examplePeripheral(a);
  await connect(a, b);
  await expectAt(b, 'AT+QBLEGATTCWR=fff2,one');
  await expectRaw(a.host, 'one');
});
