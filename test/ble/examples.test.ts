/**
 * Manual examples 4.2.1, 4.2.2 and 4.2.3 as exchanges between two emulated modules in one world:
 * module A (MAC …4a, BLE c8478c42004b) the peripheral, module B (…48) the central, as
 * `fc41d serve --count 2` numbers them (issue 12's "done when").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitLines } from '../helpers/at-host.ts';
import { T } from '../helpers/wifi.ts';
import { BLE_1, EXAMPLE_CONNECT_LINES, examplePeripheral, expectAt, expectRaw, useBleModules } from './rig.ts';

const { pair } = useBleModules();

test('example 4.2.1.1 with the manual\'s spellings: QBLEDINIT, QBLENNAME, QBLEDADDR?, QBLEDGATTSSRV, QBLEDGATTSCCHAR, QBLEDADVPARAM', async () => {
  const { a } = await pair();
  for (const line of ['AT+QBLEDINIT=2', 'AT+QBLENNAME=QuecFC41D', 'AT+QBLEDGATTSSRV=fff1', 'AT+QBLEDGATTSCCHAR=fff2', 'AT+QBLEDGATTSCCHAR=fff3', 'AT+QBLEDADVPARAM=150,150']) {
    await expectAt(a, line);
  }
  // The address is the Wi-Fi MAC + 1, no space after the colon.
  assert.deepEqual(await a.at('AT+QBLEDADDR?'), { lines: ['+QBLEADDR:c8:47:8c:42:00:4b'], final: 'OK' });
  assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:INIT'], final: 'OK' });
  await expectAt(a, 'AT+QBLEADVSTART');
  assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:ADVERTISING'], final: 'OK' });
  assert.deepEqual(await a.at('AT+QBLENAME?'), { lines: ['+QBLENAME: QuecFC41D'], final: 'OK' });
});

test('examples 4.2.1 and 4.2.2: B scans, connects, writes to A, A notifies B, B reads, B disconnects', async () => {
  const { a, b } = await pair();
  await examplePeripheral(a);
  await expectAt(b, 'AT+QBLEINIT=1');
  await expectAt(b, 'AT+QBLESCAN=1');
  assert.equal(await b.host.expect(/\r\n\+QBLESCAN:[^\r]*\r\n/, T), `\r\n+QBLESCAN:QuecFC41D,0,${BLE_1}\r\n`);
  assert.deepEqual(await b.at('AT+QBLESCAN?'), { lines: ['+QBLESCAN:1'], final: 'OK' });
  await expectAt(b, 'AT+QBLESCAN=0');
  assert.deepEqual(await b.at('AT+QBLESCAN?'), { lines: ['+QBLESCAN:0'], final: 'OK' });

  // OK at once, then MTU, CONNECTED and one +QBLEINFO per characteristic (GAP/GATT ones included).
  await expectAt(b, `AT+QBLECONN=0,${BLE_1}`);
  assert.deepEqual(splitLines(await b.host.expect('+QBLEINFO: 17 fff3\r\n', T)), EXAMPLE_CONNECT_LINES);
  // The peripheral prints only CONNECTED.
  assert.equal(await a.host.expect('+QBLESTAT:CONNECTED\r\n', T), '\r\n+QBLESTAT:CONNECTED\r\n');
  assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:CONNECTED'], final: 'OK' });
  assert.deepEqual(await b.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:CONNECTED'], final: 'OK' });

  // 4.2.1.3: what the central writes comes out on A's UART raw: no prefix, no CRLF.
  await expectAt(b, 'AT+QBLEGATTCWR=fff2,hello');
  await expectRaw(a.host, 'hello');
  // 4.2.1.4: A's notification comes out on B's UART raw (B subscribed at connection).
  await expectAt(a, 'AT+QBLEGATTSNTFY=fff3,from fc41d');
  await expectRaw(b.host, 'from fc41d');
  // The counted-hex form, and `\,` in text.
  await expectAt(a, 'AT+QBLEGATTSNTFY=fff3,3,414243');
  await expectRaw(b.host, 'ABC');
  await expectAt(b, 'AT+QBLEGATTWR=fff2,a\\,b'); // the heading's spelling
  await expectRaw(a.host, 'a,b');
  // 2.2.18: OK, then the value raw once read (a write is the value reads see).
  await expectAt(b, 'AT+QBLEGATTCRD=fff2');
  await expectRaw(b.host, 'a,b');

  await expectAt(b, 'AT+QBLEDISCONN');
  assert.equal(await a.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
  assert.equal(await b.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\n+QBLESTAT:DISCONNECTED\r\n');
  // The central is DISCONNECTED; the peripheral advertises again.
  assert.deepEqual(await b.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:DISCONNECTED'], final: 'OK' });
  assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:ADVERTISING'], final: 'OK' });
  await expectAt(b, `AT+QBLECONN=0,${BLE_1}`);
  await b.host.expect('+QBLESTAT:CONNECTED\r\n', T);
  // Now the peripheral ends it.
  await a.host.expect('+QBLESTAT:CONNECTED\r\n', T);
  await expectAt(a, 'AT+QBLEDISCONN');
  await b.host.expect('+QBLESTAT:DISCONNECTED\r\n', T);
  await a.host.expect('+QBLESTAT:DISCONNECTED\r\n', T);
});

test('example 4.2.3: B writes AT text to A in role 3; A joins Office; B\'s UART shows the notified echo, result and URCs', async () => {
  const { a, b } = await pair();
  await expectAt(a, 'AT+QBLENAME=Quec_FC41D');
  await expectAt(a, 'AT+QBLEINIT=3');
  assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:ADVERTISING'], final: 'OK' });
  await expectAt(b, 'AT+QBLEINIT=1');
  await expectAt(b, 'AT+QBLESCAN=1');
  assert.equal(await b.host.expect(/\r\n\+QBLESCAN:[^\r]*\r\n/, T), `\r\n+QBLESCAN:Quec_FC41D,0,${BLE_1}\r\n`);
  await expectAt(b, 'AT+QBLESCAN=0');
  await expectAt(b, `AT+QBLECONN=0,${BLE_1}`);
  const info = splitLines(await b.host.expect('ff02\r\n', T));
  assert.deepEqual(info.slice(-2), ['+QBLEINFO: 14 ff01', '+QBLEINFO: 16 ff02']);
  await a.host.expect('\r\n+QBLESTAT:CONNECTED\r\n', T);
  // 4.2.3.2: the MTU exchange while connected.
  await expectAt(b, 'AT+QBLECFGMTU=512');
  assert.equal(await b.host.expect('+QBLEMTU:<512>\r\n', T), '\r\n+QBLEMTU:<512>\r\n');
  assert.deepEqual(await b.at('AT+QBLECFGMTU?'), { lines: ['+QBLECFGMTU: 512'], final: 'OK' });

  await expectAt(b, 'AT+QBLEGATTCWR=ff01,AT+QSTAAPINFO=Office\\,correct-horse');
  await expectRaw(b.host, 'AT+QSTAAPINFO=Office,correct-horseOK\r\n');
  await expectRaw(b.host, '+QSTASTAT:WLAN_CONNECTED\r\n');
  await expectRaw(b.host, '+QSTASTAT:GOT_IP\r\n');
  // A really joined, and its own UART showed the URCs (not the write).
  assert.equal(await a.host.expect('GOT_IP\r\n', T), '\r\n+QSTASTAT:WLAN_CONNECTED\r\n\r\n+QSTASTAT:GOT_IP\r\n');
  assert.deepEqual(await a.at('AT+QGETIP=station'), { lines: ['+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1'], final: 'OK' });
  assert.doesNotMatch(a.host.received, /QSTAAPINFO/);

  // A command with response lines: all of it notified, in order, then the next one.
  await expectAt(b, 'AT+QBLEGATTCWR=ff01,AT+QGETIP=station');
  await expectRaw(b.host, 'AT+QGETIP=station+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1\r\nOK\r\n');
  await expectAt(b, 'AT+QBLEGATTCWR=ff01,AT+NOPE');
  await expectRaw(b.host, 'AT+NOPEERROR\r\n');
});
