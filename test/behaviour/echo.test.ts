/**
 * Echo over every wire (FIDELITY.md "Echo", docs/at-engine.md "Echo"): on on a module fresh
 * from the factory, each byte echoed as it is read (CR included, and the LF of a CRLF written
 * with its line before the answer); `ATE0`/`ATE1` and `AT+QECHO=0/1` switch it at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WIRES, writeAs } from '../helpers/wires.ts';
import { T, withModule, WLMAC } from './setup.ts';

/** Factory flash: no `echo` option, so the module's own default applies. */
const FRESH = { echo: undefined };

for (const kind of WIRES) {
  describe(`echo over ${kind}`, () => {
    test('on by default: the line comes back as typed, terminator included, before its answer', () =>
      withModule(kind, FRESH, async (w) => {
        w.host.write('AT\r');
        assert.equal(await w.host.expect('\r\nOK\r\n', T), 'AT\r\r\nOK\r\n');
        w.host.write('AT+QWLMAC\r\n');
        assert.equal(await w.host.expect('\r\nOK\r\n', T), `AT+QWLMAC\r\n\r\n${WLMAC}\r\n\r\nOK\r\n`);
        w.host.write('at+qnosuch\r');
        assert.equal(await w.host.expect('\r\nERROR\r\n', T), 'at+qnosuch\r\r\nERROR\r\n');
      }));

    test('ATE0, ATE1, AT+QECHO=0 and AT+QECHO=1 switch it from the next byte on', () =>
      withModule(kind, FRESH, async (w) => {
        const answer = async (line: string) => {
          w.host.write(`${line}\r`);
          return w.host.expect(/\r\n(OK|ERROR)\r\n/, T);
        };
        // The line that turns echo off was itself already echoed; the one that turns it on was not.
        assert.equal(await answer('ATE0'), 'ATE0\r\r\nOK\r\n');
        assert.equal(await answer('AT'), '\r\nOK\r\n');
        assert.equal(await answer('ATE1'), '\r\nOK\r\n');
        assert.equal(await answer('AT'), 'AT\r\r\nOK\r\n');
        assert.equal(await answer('AT+QECHO=0'), 'AT+QECHO=0\r\r\nOK\r\n');
        assert.equal(await answer('AT+QWLMAC'), `\r\n${WLMAC}\r\n\r\nOK\r\n`);
        assert.equal(await answer('AT+QECHO=1'), '\r\nOK\r\n');
        assert.equal(await answer('AT'), 'AT\r\r\nOK\r\n');
        // `ATE` alone is ATE0 (V.250); other values are ERROR and change nothing.
        assert.equal(await answer('ATE2'), 'ATE2\r\r\nERROR\r\n');
        assert.equal(await answer('ATE'), 'ATE\r\r\nOK\r\n');
        assert.equal(await answer('AT'), '\r\nOK\r\n');
      }));

    test('a line sent one byte per write is echoed byte by byte as it is read, and answered once', () =>
      withModule(kind, FRESH, async (w) => {
        await writeAs(w.host, 'AT+QWL', true);
        // Echoed as read: the start of the line is back before its CR is sent.
        assert.equal(await w.host.expect('AT+QWL', T), 'AT+QWL');
        await writeAs(w.host, 'MAC\r', true);
        assert.equal(await w.host.expect('\r\nOK\r\n', T), `MAC\r\r\n${WLMAC}\r\n\r\nOK\r\n`);
        await writeAs(w.host, 'AT\r', true);
        assert.equal(await w.host.expect('\r\nOK\r\n', T), 'AT\r\r\nOK\r\n');
        assert.equal(w.host.unread, '');
      }));
  });
}
