/**
 * The checker's line rules over a real module: mixed-terminators, missing-terminator and
 * line-too-long — reported for a bad host, silent for good hosts of every ending (`\r`, `\r\n`,
 * `\r\r`), whole lines or one byte per write.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_LINE_BYTES } from '../../src/at/framing.ts';
import { only, settle, T, withChecker } from './rig.ts';

describe('mixed-terminators', () => {
  test('\\r then \\r\\n: the first \\r\\n line is reported, once', () =>
    withChecker(async ({ w, checker }) => {
      for (const text of ['AT\r', 'AT+QVERSION\r\n', 'AT+QWLMAC\r\n', 'AT\r']) {
        w.host.write(text);
        await w.host.expect('\r\nOK\r\n', T);
      }
      const found = only(checker.violations, 'mixed-terminators');
      assert.equal(found.length, 1, JSON.stringify(checker.violations));
      assert.equal(found[0].line, 'AT+QVERSION');
      assert.match(found[0].message, /ended with \\r\\n where earlier lines ended with \\r/);
    }));

  test('\\r\\n then \\r\\r: reported', () =>
    withChecker(async ({ w, checker }) => {
      for (const text of ['AT\r\n', 'AT+QVERSION\r\r', 'AT\r\n']) {
        w.host.write(text);
        await w.host.expect('\r\nOK\r\n', T);
      }
      assert.deepEqual(checker.finish().map((v) => [v.rule, v.line]), [['mixed-terminators', 'AT+QVERSION']]);
    }));

  for (const ending of ['\r', '\r\n', '\r\r']) {
    for (const bytewise of [false, true]) {
      test(`a host that always ends with ${JSON.stringify(ending)}${bytewise ? ', one byte per write' : ''}: silent`, () =>
        withChecker(async ({ w, checker }) => {
          for (const line of ['AT', 'AT+QVERSION', 'AT+QWLMAC', 'AT']) {
            const bytes = Buffer.from(line + ending);
            if (!bytewise) w.host.write(bytes);
            else {
              for (const b of bytes) {
                w.host.write(Buffer.of(b));
                await settle();
              }
            }
            await w.host.expect('\r\nOK\r\n', T);
          }
          assert.deepEqual(checker.finish(), []);
        }));
    }
  }
});

describe('missing-terminator', () => {
  test('a last command without its \\r is reported at finish()', () =>
    withChecker(async ({ w, checker, at }) => {
      assert.deepEqual(await at('AT'), ['OK']);
      await w.pause(40);
      w.host.write('AT+QVERSION');
      await settle();
      assert.deepEqual(checker.violations, [], 'not before the end of the run');
      const found = checker.finish();
      assert.deepEqual(found.map((v) => [v.rule, v.line, v.atMs]), [['missing-terminator', 'AT+QVERSION', 40]]);
      assert.match(found[0].message, /never ended/);
    }));

  test('every line ended (a stray LF at the end too): silent', () =>
    withChecker(async ({ w, checker }) => {
      w.host.write('AT\r\n');
      await w.host.expect('\r\nOK\r\n', T);
      w.host.write('\n');
      await settle();
      assert.deepEqual(checker.finish(), []);
    }));
});

describe('line-too-long', () => {
  test(`a line over ${MAX_LINE_BYTES} bytes is reported (the module answers ERROR)`, () =>
    withChecker(async ({ w, checker }) => {
      w.host.write(`AT+QSTAAPINFO=${'x'.repeat(MAX_LINE_BYTES)}\r`);
      await w.host.expect('\r\nERROR\r\n', T);
      const found = only(checker.violations, 'line-too-long');
      assert.equal(found.length, 1, JSON.stringify(checker.violations));
      assert.ok(found[0].line.startsWith('AT+QSTAAPINFO=xxxx'), found[0].line);
      assert.ok(found[0].line.endsWith('…'), 'the line is cut in the report');
      assert.match(found[0].message, /4096-byte line buffer/);
      assert.deepEqual(checker.finish().map((v) => v.rule), ['line-too-long']);
    }));

  test('a line of exactly the limit is not', () =>
    withChecker(async ({ w, checker }) => {
      const prefix = 'AT+QSTAAPINFO=';
      w.host.write(`${prefix}${'x'.repeat(MAX_LINE_BYTES - prefix.length)}\r`);
      await w.host.expect(/\r\n(OK|ERROR)\r\n/, T);
      assert.deepEqual(checker.finish(), []);
    }));
});
