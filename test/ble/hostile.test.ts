/**
 * Hostile BLE commands: bad UUIDs, bad hex and AD structures, over-long data, numbers out of
 * range, commands in the wrong role or state — each answered ERROR, no handler fault, and the
 * module (and its link) still working. Also the commands as drivers send them: `\r` or `\r\n`,
 * one byte per write.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeAs } from '../helpers/wires.ts';
import { T } from '../helpers/wifi.ts';
import { BLE_1, type BleModule, connect, examplePeripheral, expectAt, expectRaw, useBleModules } from './rig.ts';

const { pair } = useBleModules();

function countFaults(...modules: BleModule[]): { faults: unknown[] } {
  const seen = { faults: [] as unknown[] };
  for (const m of modules) m.module.on('fault', (e) => seen.faults.push(e));
  return seen;
}

async function allError(m: BleModule, lines: string[]): Promise<void> {
  for (const line of lines) await expectAt(m, line, 'ERROR');
  await expectAt(m, 'AT');
}

test('bad input before any link: UUIDs, hex, AD structures, names, numbers → ERROR, and the module goes on', async () => {
  const { a, b } = await pair();
  const seen = countFaults(a, b);
  await allError(a, ['AT+QBLENAME=', 'AT+QBLENAME=abcdefghijklmnopqrstuvwxyz', 'AT+QBLEINIT=', 'AT+QBLEINIT=-1', 'AT+QBLEINIT=1,2', 'AT+QBLEINIT=x']);
  await expectAt(a, 'AT+QBLENAME=abcdefghijklmnopqrstuvwxy'); // 25 bytes
  await expectAt(a, 'AT+QBLEINIT=2');
  await allError(a, [
    // UUIDs: not 4 or 32 hex digits (a handle, 0x…, 3 or 5 or 31 digits, a broken dashed form).
    'AT+QBLEGATTSSRV=fff',
    'AT+QBLEGATTSSRV=fff12',
    'AT+QBLEGATTSSRV=0xfff1',
    'AT+QBLEGATTSSRV=zzzz',
    'AT+QBLEGATTSSRV=',
    'AT+QBLEGATTSSRV="fff1',
    'AT+QBLEGATTSSRV=0000fff100001000800000805f9b34f',
    'AT+QBLEGATTSSRV=0000fff1-0000-1000-8000-00805f9b34f',
    // Advertising data: odd digits, not hex, more than 31 bytes, a length of 0, past the end, above 0x1e.
    'AT+QBLEADVDATA=020106f',
    'AT+QBLEADVDATA=02010g',
    'AT+QBLEADVDATA=' + '1eff' + '00'.repeat(29) + '0201',
    'AT+QBLEADVDATA=00',
    'AT+QBLEADVDATA=05ff0102',
    'AT+QBLEADVDATA=1fff' + '00'.repeat(30),
    // Advertising intervals out of range, min above max.
    'AT+QBLEADVPARAM=31,150',
    'AT+QBLEADVPARAM=150,16385',
    'AT+QBLEADVPARAM=200,100',
    'AT+QBLEADVPARAM=150',
    // Not connected.
    'AT+QBLEGATTSNTFY=fff3,x',
    'AT+QBLEDISCONN',
  ]);
  await expectAt(a, 'AT+QBLEADVDATA=' + '1eff' + '00'.repeat(29)); // exactly 31 bytes
  await expectAt(a, 'AT+QBLEADVSTART');
  await expectAt(b, 'AT+QBLEINIT=1');
  await allError(b, [
    'AT+QBLESCAN=3',
    'AT+QBLESCAN=1,10001',
    'AT+QBLESCANPARAM=17,17',
    'AT+QBLESCANPARAM=100,101',
    'AT+QBLESCANPARAM=4097,100',
    'AT+QBLECONNPARAM=5,500,0',
    'AT+QBLECONNPARAM=30,9,0',
    'AT+QBLECONNPARAM=30,500,500',
    'AT+QBLECFGMTU=22',
    'AT+QBLECFGMTU=513',
    'AT+QBLECONN=2,c8478c42004b',
    'AT+QBLECONN=0,c8478c42004',
    'AT+QBLECONN=0,c8:47:8c:42:00',
    'AT+QBLECONN=0,g8478c42004b',
    'AT+QBLECONN=0',
    'AT+QBLEGATTCWR=fff2,x',
    'AT+QBLEGATTCRD=fff2',
    'AT+QBLEGATTCNTFCFG=fff3,1',
  ]);
  await expectAt(b, 'AT+QBLECONN=0,C8:47:8C:42:00:4B'); // colons and capitals are fine
  await b.host.expect('+QBLESTAT:CONNECTED\r\n', T);
  assert.deepEqual(seen.faults, []);
});

test('bad input on a link: unknown and unfit UUIDs, handles, data over mtu − 3, empty data → ERROR; the link still carries', async () => {
  const { a, b } = await pair();
  const seen = countFaults(a, b);
  await examplePeripheral(a);
  await connect(a, b);
  await allError(b, [
    'AT+QBLEGATTCWR=fff9,x', // not the peer's
    'AT+QBLEGATTCWR=2a00,x', // not writable
    'AT+QBLEGATTCWR=14,x', // a handle, not a UUID
    'AT+QBLEGATTCWR=fff2,', // nothing to write
    'AT+QBLEGATTCWR=fff2,0,', // nothing in hex either
    `AT+QBLEGATTCWR=fff2,${'w'.repeat(248)}`, // MTU 250: at most 247 bytes
    'AT+QBLEGATTCRD=fff9',
    'AT+QBLEGATTCNTFCFG=2a00,1',
    'AT+QBLEGATTCNTFCFG=fff3,2',
    'AT+QBLEGATTSNTFY=fff3,x', // the central has no table of its own
  ]);
  await expectAt(b, `AT+QBLEGATTCWR=fff2,${'w'.repeat(247)}`);
  await expectRaw(a.host, 'w'.repeat(247));
  await allError(a, [
    'AT+QBLEGATTSNTFY=fff9,x', // not ours
    'AT+QBLEGATTSNTFY=2a00,x', // the stack's, not ours
    'AT+QBLEGATTSNTFY=fff3',
    `AT+QBLEGATTSNTFY=fff3,${'n'.repeat(248)}`,
    'AT+QBLEGATTCWR=fff2,x', // a peripheral does not write
  ]);
  // A count that does not match its hex digits is not the hex form: the text goes as it is.
  await expectAt(a, 'AT+QBLEGATTSNTFY=fff3,4,0102');
  await expectRaw(b.host, '4,0102');
  // A smaller MTU: 20 bytes per packet.
  await expectAt(b, 'AT+QBLECFGMTU=23');
  await b.host.expect('+QBLEMTU:<23>\r\n', T);
  await expectAt(b, `AT+QBLEGATTCWR=fff2,${'s'.repeat(21)}`, 'ERROR');
  await expectAt(b, `AT+QBLEGATTCWR=fff2,20,${'ab'.repeat(20)}`);
  await expectRaw(a.host, Buffer.alloc(20, 0xab).toString('latin1'));
  assert.deepEqual(seen.faults, []);
});

for (const ending of ['\r', '\r\n']) {
  test(`BLE commands as a driver sends them: ${JSON.stringify(ending)}, one byte per write`, async () => {
    const { a, b } = await pair();
    const send = async (m: BleModule, line: string) => {
      await writeAs(m.host, `${line}${ending}`, true);
      assert.match(await m.host.expect(/\r\n(OK|ERROR)\r\n/, T), /\r\nOK\r\n$/, line);
    };
    for (const line of ['AT+QBLEINIT=2', 'AT+QBLENAME=Driver', 'AT+QBLEGATTSSRV=fff1', 'AT+QBLEGATTSCHAR=fff2', 'AT+QBLEGATTSCHAR=fff3', 'AT+QBLEADVSTART']) await send(a, line);
    await send(b, 'AT+QBLEINIT=1');
    await send(b, `AT+QBLECONN=0,${BLE_1}`);
    await b.host.expect('+QBLEINFO: 17 fff3\r\n', T);
    await a.host.expect('+QBLESTAT:CONNECTED\r\n', T);
    await send(b, 'AT+QBLEGATTCWR=fff2,AT+QSTAAPINFO=ssid\\,pwd');
    await expectRaw(a.host, 'AT+QSTAAPINFO=ssid,pwd');
    await send(a, 'AT+QBLEGATTSNTFY=fff3,{"t":21.5,"h":40}');
    await expectRaw(b.host, '{"t":21.5,"h":40}');
    await send(b, 'AT'); // the line's LF was no command and no data
  });
}
