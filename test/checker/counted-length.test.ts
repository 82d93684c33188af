/**
 * Rule counted-length over a real module and a real TCP peer: prompt-form data (AT+QISEND=0,5,
 * `> `) longer or shorter than declared — found from the line after the transfer, or from the
 * module giving up — and inline counted payloads whose quote is not where the count ends.
 * Silent for exact counts, also with the CR/LF some drivers add after the data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { declaredLength } from '../../src/checker/counted-length.ts';
import { Fc41dModule } from '../../src/index.ts';
import { only, openSocket, type Rig, T, until, withChecker } from './rig.ts';

/** AT+QISEND=0,<n>, then waits for the prompt. */
async function prompt(r: Rig, n: number): Promise<void> {
  r.send(`AT+QISEND=0,${n}`);
  await r.w.host.expect('\r\n> ', T);
}

function counted(r: Rig) {
  return only(r.checker.violations, 'counted-length');
}

describe('counted-length, prompt form', () => {
  test('7 bytes after AT+QISEND=0,5: reported when the extra bytes start the next line', () =>
    withChecker(async (r) => {
      await openSocket(r);
      await prompt(r, 5);
      r.w.host.write('helloXY');
      await r.w.host.expect('\r\nSEND OK\r\n', T);
      assert.deepEqual(await r.at('AT'), ['ERROR'], 'the module read XYAT');
      const found = counted(r);
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.equal(found[0].line, 'AT+QISEND=0,5');
      assert.match(found[0].message, /declared 5 bytes but sent 7/);
      assert.deepEqual(r.rules(), ['counted-length'], 'XYAT is not also taken for a command sent too early');
    }));

  test('extra bytes and no further line: reported at finish()', () =>
    withChecker(async (r) => {
      await openSocket(r);
      await prompt(r, 5);
      r.w.host.write('hello!!');
      await r.w.host.expect('\r\nSEND OK\r\n', T);
      assert.deepEqual(r.checker.violations, []);
      const found = r.checker.finish();
      assert.deepEqual(found.map((v) => v.rule), ['counted-length']);
      assert.match(found[0].message, /declared 5 bytes but sent 7 or more/);
    }));

  test('3 bytes after AT+QISEND=0,5, then silence: reported when the module gives up (SEND FAIL)', () =>
    withChecker(async (r) => {
      await openSocket(r);
      await prompt(r, 5);
      r.w.host.write('hel');
      await r.w.pause(10_000);
      await r.w.host.expect('\r\nSEND FAIL\r\n', T);
      const found = counted(r);
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.match(found[0].message, /declared 5 bytes but sent 3 before the module gave up waiting \(SEND FAIL\)/);
    }));

  test('3 bytes, then the next command: the module ate its AT; reported as 3 sent', () =>
    withChecker(async (r) => {
      await openSocket(r);
      await prompt(r, 5);
      r.w.host.write('hel');
      await r.w.pause(100);
      r.send('AT+QISTATE=0');
      await r.w.host.expect('\r\nSEND OK\r\n', T);
      await r.w.host.expect('\r\nERROR\r\n', T);
      await until(() => r.peer.received.length === 5, 'the peer to get 5 bytes');
      assert.equal(r.peer.received.toString(), 'helAT');
      const found = counted(r);
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.match(found[0].message, /declared 5 bytes but sent 3: the module took the start of the next command as data/);
    }));

  test('exact counts, in pieces, with a CR LF after the data: silent', () =>
    withChecker(async (r) => {
      await openSocket(r);
      await prompt(r, 5);
      r.w.host.write('he');
      await r.w.pause(50);
      r.w.host.write('llo');
      await r.w.host.expect('\r\nSEND OK\r\n', T);
      await prompt(r, 4);
      r.w.host.write('data\r\n');
      await r.w.host.expect('\r\nSEND OK\r\n', T);
      assert.equal((await r.at('AT+QISTATE=0')).at(-1), 'OK');
      await until(() => r.peer.received.length === 9, 'the peer to get 9 bytes');
      assert.equal(r.peer.received.toString(), 'hellodata');
      assert.deepEqual(r.checker.finish(), []);
    }));
});

describe('counted-length, inline payload', () => {
  test('AT+QISEND=0,5,"hello!" (6 bytes): reported, the line is answered ERROR', () =>
    withChecker(async (r) => {
      await openSocket(r);
      assert.deepEqual(await r.at('AT+QISEND=0,5,"hello!"'), ['ERROR']);
      const found = counted(r);
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.equal(found[0].line, 'AT+QISEND=0,5,"');
      assert.match(found[0].message, /declared 5 bytes but had 6/);
      assert.deepEqual(await r.at('AT'), ['OK']);
      assert.deepEqual(r.rules(), ['counted-length']);
    }));

  test('AT+QISEND=0,8,"hello" (5 bytes): reported when the module gives up on the payload', () =>
    withChecker(async (r) => {
      await openSocket(r);
      r.send('AT+QISEND=0,8,"hello"');
      await r.w.pause(200);
      await r.w.host.expect('\r\nERROR\r\n', T);
      const found = counted(r);
      assert.equal(found.length, 1, JSON.stringify(r.checker.violations));
      assert.match(found[0].message, /declared 8 bytes but had 5/);
      assert.deepEqual(await r.at('AT'), ['OK']);
      assert.deepEqual(r.checker.finish().map((v) => v.rule), ['counted-length']);
    }));

  test('exact inline payloads, with quotes, commas and CR LF inside: silent', () =>
    withChecker(async (r) => {
      await openSocket(r);
      assert.deepEqual(await r.at('AT+QISEND=0,5,"hello"'), ['+QISEND: 5', 'OK']);
      assert.deepEqual(await r.at('AT+QISEND=0,8,"a,"b"\r\nc"'), ['+QISEND: 8', 'OK']);
      assert.deepEqual(r.checker.finish(), []);
    }));
});

test('declaredLength reads the length parameter of every data-mode command from the registry', () => {
  const module = new Fc41dModule({ powerOnAttach: false });
  try {
    const cases: [string, number | null][] = [
      ['AT+QISEND=0,5', 5],
      ['AT+QSSLSEND=1,7', 7],
      ['AT+QMTPUB=0,1,1,0,"topic",9', 9],
      ['AT+QHTTPPOST=12,60,60', 12],
      ['AT+QHTTPPUT=3', 3],
      ['AT+QSSLCERT="CA",2,100', 100],
      ['AT+QVERSION', null],
      ['AT+QISEND=0,x', null],
      ['garbage', null],
    ];
    for (const [line, n] of cases) assert.equal(declaredLength(module.registry, line), n, line);
  } finally {
    module.dispose();
  }
});
