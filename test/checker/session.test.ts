/**
 * The checker's session rules over a real module: rapid-retry (on the fake clock), unread-data
 * (a real TCP peer echoing into a buffer-mode socket) and escape-guard (transparent mode, the
 * manual's 1000 ms guard time on the fake clock) — reported for a bad host, silent for a good one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectAsync } from 'mqtt';
import { DriverChecker } from '../../src/checker/index.ts';
import { mqttModule, openAndConnect, startBroker } from '../mqtt/at-rig.ts';
import { clockedPair, connect, examplePeripheral, expectAt, expectRaw } from '../ble/rig.ts';
import { only, openSocket, type Rig, settle, T, until, withChecker } from './rig.ts';

const FAILING = 'AT+QMTCFG="no-such-setting",0';

describe('rapid-retry', () => {
  test('the same failing command 10 times within a second: reported once', () =>
    withChecker(async ({ w, checker, at }) => {
      for (let i = 0; i < 10; i++) {
        assert.deepEqual(await at(FAILING), ['ERROR']);
        await w.pause(20);
      }
      const found = only(checker.violations, 'rapid-retry');
      assert.equal(found.length, 1, JSON.stringify(checker.violations));
      assert.equal(found[0].line, FAILING);
      assert.equal(found[0].atMs, 100, 'the sixth try');
      assert.match(found[0].message, /failed \(ERROR\) 6 times within 1 s, more than 5/);
    }));

  test('retryPerSecond: 2 reports the third failure within a second', () =>
    withChecker(
      async ({ checker, at }) => {
        for (let i = 0; i < 3; i++) await at(FAILING);
        assert.deepEqual(checker.violations.map((v) => v.rule), ['rapid-retry']);
      },
      { retryPerSecond: 2 },
    ));

  test('5 failures a second, retries spaced by 250 ms, or a command that succeeds: silent', () =>
    withChecker(async ({ w, checker, at }) => {
      for (let i = 0; i < 5; i++) assert.deepEqual(await at(FAILING), ['ERROR']);
      await w.pause(1000);
      for (let i = 0; i < 10; i++) {
        assert.deepEqual(await at(FAILING), ['ERROR']);
        await w.pause(250);
      }
      for (let i = 0; i < 20; i++) assert.deepEqual(await at('AT'), ['OK']);
      assert.deepEqual(checker.finish(), []);
    }));
});

/** Socket 0 to the echoing peer, `ping` sent, and its echo announced by `+QIURC: "recv",0` (not read). */
async function echoedPing(r: Rig): Promise<void> {
  await openSocket(r);
  assert.deepEqual(await r.at('AT+QISEND=0,4,"ping"'), ['+QISEND: 4', 'OK']);
  await r.w.pause(10);
  await r.w.host.expect('+QIURC: "recv",0\r\n', T);
}

describe('unread-data', () => {
  test('+QIURC: "recv" never followed by AT+QIRD: reported at finish()', () =>
    withChecker(
      async (r) => {
        await echoedPing(r);
        assert.deepEqual(r.checker.violations, [], 'not before the end of the run');
        const found = r.checker.finish();
        assert.deepEqual(found.map((v) => [v.rule, v.line]), [['unread-data', '+QIURC: "recv",0']]);
        assert.match(found[0].message, /AT\+QIRD=0,<len>/);
      },
      { echoPeer: true },
    ));

  test('read with AT+QIRD (after AT+QIRD=0,0 asks how much): silent', () =>
    withChecker(
      async (r) => {
        await echoedPing(r);
        assert.equal((await r.at('AT+QIRD=0,0')).at(-1), 'OK');
        const read = await r.at('AT+QIRD=0,1500');
        assert.deepEqual(read, ['+QIRD:4', 'ping', 'OK']);
        assert.deepEqual(r.checker.finish(), []);
      },
      { echoPeer: true },
    ));
});

test('MQTT: +QMTRECV: <id>,<store> read with AT+QMTRECV=<id>,<store> is not reported; the store left unread is', async () => {
  const broker = await startBroker();
  const m = await mqttModule(broker);
  const checker = new DriverChecker(m.module);
  const outside = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'feeder' });
  try {
    assert.equal((await m.at('AT+QMTCFG="recv/mode",0,1')).final, 'OK');
    await openAndConnect(m, 0, 'buffered');
    m.host.send('AT+QMTSUB=0,1,"feed",1');
    await m.host.expect('+QMTSUB: 0,1,0,1\r\n', T);
    await outside.publishAsync('feed', 'm0', { qos: 1 });
    await m.host.expect('+QMTRECV: 0,0\r\n', T);
    await outside.publishAsync('feed', 'm1', { qos: 1 });
    await m.host.expect('+QMTRECV: 0,1\r\n', T);
    assert.match((await m.at('AT+QMTRECV=0,0')).lines.join(), /"m0"/);
    const found = checker.finish();
    assert.deepEqual(found.map((v) => [v.rule, v.line]), [['unread-data', '+QMTRECV: 0,1']]);
    assert.match(found[0].message, /AT\+QMTRECV=0,1/);
  } finally {
    checker.finish();
    await outside.endAsync();
    m.close();
    await broker.close();
  }
});

describe('escape-guard', () => {
  test('+++ at the end of a data write (no silence before): reported, the module stays transparent', () =>
    withChecker(async (r) => {
      await openSocket(r, 2);
      await r.w.pause(1500);
      r.w.host.write('data+++');
      await r.w.pause(1500);
      await until(() => r.peer.received.length === 7, 'the peer to get data+++');
      assert.equal(r.w.host.unread, '', 'no OK: the escape failed');
      const found = only(r.checker.violations, 'escape-guard');
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.equal(found[0].line, 'data+++');
      assert.match(found[0].message, /right after data in the same write, less than the 1000 ms guard time/);
    }));

  test('+++ 300 ms after data: reported', () =>
    withChecker(async (r) => {
      await openSocket(r, 2);
      await r.w.pause(1500);
      r.w.host.write('data');
      await r.w.pause(300);
      r.w.host.write('+++');
      await settle();
      assert.match(only(r.checker.violations, 'escape-guard')[0]?.message ?? '', /\+\+\+ came 300 ms after the previous bytes/);
    }));

  test('bytes 100 ms after +++: reported at the +++, and the module takes it all as data', () =>
    withChecker(async (r) => {
      await openSocket(r, 2);
      await r.w.pause(1500);
      r.w.host.write('+++');
      await r.w.pause(100);
      r.w.host.write('x');
      await r.w.pause(1500);
      assert.equal(r.w.host.unread, '', 'no OK');
      const found = only(r.checker.violations, 'escape-guard');
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.equal(found[0].line, '+++');
      assert.match(found[0].message, /"x" followed \+\+\+ after 100 ms/);
    }));

  test('a good host: 1 s of silence, +++ (also one + per write), 1 s of silence → OK; silent', () =>
    withChecker(async (r) => {
      await openSocket(r, 2);
      for (const bytewise of [false, true]) {
        r.w.host.write('some data');
        await r.w.pause(1000);
        if (bytewise) for (const p of '+++') r.w.host.write(p);
        else r.w.host.write('+++');
        await r.w.pause(1000);
        await r.w.host.expect('\r\nOK\r\n', T);
        if (!bytewise) {
          r.send('ATO');
          await r.w.host.expect('\r\nCONNECT\r\n', T);
        }
      }
      assert.deepEqual(await r.at('AT'), ['OK']);
      assert.deepEqual(r.checker.finish(), []);
    }));
});

test('BLE transparent mode (OK, not CONNECT): data with CR LF is not taken for command lines; +++ judged the same way', async () => {
  const { a, b, clock, close } = await clockedPair();
  const checker = new DriverChecker(b.module);
  try {
    await examplePeripheral(a);
    await connect(a, b);
    await expectAt(b, 'AT+QBLETRANMODE=fff2');
    b.host.write('line one\r\nline two\r');
    await expectRaw(a.host, 'line one\r\nline two\r');
    clock.advance(1000);
    b.host.write('+++');
    await settle();
    clock.advance(1000);
    await b.host.expect('\r\nOK\r\n', T);
    assert.deepEqual(await b.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:CONNECTED'], final: 'OK' });
    assert.deepEqual(checker.violations, [], 'a good host');
    await expectAt(b, 'AT+QBLETRANMODE=fff2');
    b.host.write('more+++');
    await settle();
    clock.advance(2000);
    assert.deepEqual(checker.finish().map((v) => v.rule), ['escape-guard']);
  } finally {
    checker.finish();
    close();
  }
});
