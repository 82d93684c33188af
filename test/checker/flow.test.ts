/**
 * The checker's conversation rules over a real module (in-process, fake clock):
 * command-before-final, data-before-prompt (`> ` and transparent CONNECT), command-before-ready —
 * each reported for a deliberately bad host and silent for a good one doing the same work.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWorld, World } from '../../src/index.ts';
import { FINAL, joinOffice, only, openSocket, settle, T, until, withChecker } from './rig.ts';

/** AT+QWSCAN runs on the world's real clock: 300 ms here, so a loaded machine still sends every byte during it. */
const slowScan = () => ({ module: { world: new World(parseWorld({ timeScale: 0.3, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] })) } });

describe('command-before-final', () => {
  test('two commands in one write: the second is reported, with its line and time', () =>
    withChecker(async ({ w, checker, rules }) => {
      await w.pause(250);
      w.host.write('AT+QVERSION\r\nAT+QWLMAC\r\n');
      await w.host.expect('+QWLMAC:', T);
      await w.host.expect('\r\nOK\r\n', T);
      const found = only(checker.violations, 'command-before-final');
      assert.equal(found.length, 1, JSON.stringify(checker.violations));
      assert.equal(found[0].line, 'AT+QWLMAC');
      assert.equal(found[0].module, 'module 0');
      assert.equal(found[0].atMs, 250);
      assert.match(found[0].message, /AT\+QVERSION had its final result/);
      assert.ok(!Number.isNaN(Date.parse(found[0].time)));
      assert.deepEqual(rules(), ['command-before-final']);
    }));

  test('a command sent while a slow one (AT+QWSCAN) runs, one byte per write', () =>
    withChecker(async ({ w, checker }) => {
      w.host.write('AT+QWSCAN\r');
      await settle();
      for (const b of Buffer.from('AT+QVERSION\r')) {
        w.host.write(Buffer.of(b));
        await settle();
      }
      await w.pause(5000);
      await w.host.expect('+QVERSION:', T);
      assert.deepEqual(checker.violations.map((v) => [v.rule, v.line]), [['command-before-final', 'AT+QVERSION']]);
    }, slowScan()));

  test('three lines at once: each after the first is reported', () =>
    withChecker(async ({ w, checker }) => {
      w.host.write('AT\rAT+QVERSION\rAT+QWLMAC\r');
      await w.host.expect('+QWLMAC', T);
      await w.host.expect('\r\nOK\r\n', T);
      assert.deepEqual(only(checker.violations, 'command-before-final').map((v) => v.line), ['AT+QVERSION', 'AT+QWLMAC']);
    }));

  test('still unanswered at finish(): reported then', () =>
    withChecker(async ({ w, checker }) => {
      w.host.write('AT+QWSCAN\r');
      await settle();
      w.host.write('AT\r');
      await settle();
      assert.deepEqual(checker.violations, []);
      assert.deepEqual(checker.finish().map((v) => [v.rule, v.line]), [['command-before-final', 'AT']]);
    }, slowScan()));

  test('a good host, waiting for each final result (also a slow scan), is not reported', () =>
    withChecker(async ({ w, checker, send, at }) => {
      for (const line of ['AT', 'AT+QVERSION', 'AT+QWLMAC', 'AT+QECHO=0']) assert.equal((await at(line)).at(-1), 'OK');
      send('AT+QWSCAN');
      await w.pause(5000);
      await w.host.expect(FINAL, T);
      assert.deepEqual(await at('AT'), ['OK']);
      assert.deepEqual(checker.finish(), []);
    }));
});

describe('data-before-prompt', () => {
  test('AT+QISEND=0,5 and its data in one write (before "> ") is reported; the data still counts', () =>
    withChecker(async (r) => {
      await openSocket(r);
      r.w.host.write('AT+QISEND=0,5\rhello');
      await r.w.host.expect('\r\nSEND OK\r\n', T);
      await until(() => r.peer.received.length === 5, 'the peer to get the data');
      const found = only(r.checker.violations, 'data-before-prompt');
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.equal(found[0].line, 'AT+QISEND=0,5');
      assert.match(found[0].message, /5 bytes of data were sent before the module's ">" prompt/);
      assert.deepEqual(r.rules(), ['data-before-prompt'], 'the data is not taken for a command line');
    }));

  test('data in the same write as AT+QIOPEN in transparent mode (before CONNECT) is reported', () =>
    withChecker(async (r) => {
      await joinOffice(r);
      r.w.host.write(`AT+QIOPEN=0,"TCP","peer.test",${r.peer.port},0,2\rearly`);
      await r.w.host.expect('\r\nCONNECT\r\n', T);
      const found = only(r.checker.violations, 'data-before-prompt');
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.match(found[0].message, /5 bytes of data were sent before the module's CONNECT that opens transparent mode/);
    }));

  test('a good host waits for "> " and for CONNECT', () =>
    withChecker(async (r) => {
      await openSocket(r);
      for (let i = 0; i < 2; i++) {
        r.send('AT+QISEND=0,5');
        await r.w.host.expect('\r\n> ', T);
        r.w.host.write('hello');
        await r.w.host.expect('\r\nSEND OK\r\n', T);
      }
      assert.deepEqual(await r.at('AT+QICLOSE=0'), ['OK']);
      r.send(`AT+QIOPEN=1,"TCP","peer.test",${r.peer.port},0,2`);
      await r.w.host.expect('\r\nCONNECT\r\n', T);
      r.w.host.write('after');
      await r.w.pause(300);
      assert.deepEqual(r.checker.finish(), []);
    }));

  test('CRLF host: the LF after the command line, even in its own later write, is not early data', () =>
    withChecker(
      async (r) => {
        await openSocket(r);
        r.w.host.write('AT+QISEND=0,3\r');
        await settle();
        r.w.host.write('\n');
        await r.w.host.expect('\r\n> ', T);
        r.w.host.write('abc');
        await r.w.host.expect('\r\nSEND OK\r\n', T);
        assert.deepEqual(r.checker.finish(), []);
      },
      { ending: '\r\n' },
    ));
});

describe('command-before-ready', () => {
  test('a command right after AT+QRST, before ready, is reported (once) and lost', () =>
    withChecker(async ({ w, checker, at }) => {
      assert.deepEqual(await at('AT+QRST'), ['OK']);
      await settle();
      assert.equal(w.module.state, 'booting');
      w.host.write('AT\r');
      w.host.write('AT\r');
      await w.pause(100);
      await w.host.expect('\r\nready\r\n', T);
      const found = only(checker.violations, 'command-before-ready');
      assert.equal(found.length, 1, JSON.stringify(checker.violations));
      assert.equal(found[0].line, 'AT\\r');
      assert.match(found[0].message, /before the module said ready/);
      assert.equal(w.host.unread, '', 'the module never answered it');
    }));

  test('a good host waits for ready after a reset', () =>
    withChecker(async ({ w, checker, at }) => {
      assert.deepEqual(await at('AT+QRST'), ['OK']);
      await w.pause(100);
      await w.host.expect('\r\nready\r\n', T);
      assert.deepEqual(await at('AT'), ['OK']);
      assert.deepEqual(checker.finish(), []);
    }));
});
