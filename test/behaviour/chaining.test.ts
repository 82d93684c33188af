/**
 * `;` chaining over every wire (§1.2, docs/at-engine.md "Chaining", test/transcripts/chaining.at):
 * one final result for the line; the first command that fails ends it, and the rest does not run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WIRES, writeAs } from '../helpers/wires.ts';
import { at, T, VERSION, withModule, WLMAC } from './setup.ts';

for (const kind of WIRES) {
  describe(`chaining over ${kind}`, () => {
    test('two commands, one OK; a later command may repeat the AT prefix', () =>
      withModule(kind, {}, async (w) => {
        assert.deepEqual(await at(w, 'AT+QVERSION;+QWLMAC'), [VERSION, WLMAC, 'OK']);
        assert.deepEqual(await at(w, 'at+qwlmac ; AT+QVERSION;'), [WLMAC, VERSION, 'OK']);
        assert.equal(w.host.unread, '');
      }));

    test('a failing command ends the line with ERROR; the commands before it ran, those after did not', () =>
      withModule(kind, {}, async (w) => {
        // QECHO=1 after the failure does not run: AT is not echoed.
        assert.deepEqual(await at(w, 'AT+QVERSION;+QNOSUCH;+QECHO=1'), [VERSION, 'ERROR']);
        w.host.write('AT\r');
        assert.equal(await w.host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
        // QECHO=1 before the failure has run: AT is echoed.
        assert.deepEqual(await at(w, 'AT+QECHO=1;+QECHO=7'), ['ERROR']);
        w.host.write('AT\r');
        assert.equal(await w.host.expect('\r\nOK\r\n', T), 'AT\r\r\nOK\r\n');
      }));

    test('a chained line sent one byte per write runs once, as a whole', () =>
      withModule(kind, {}, async (w) => {
        await writeAs(w.host, 'AT+QWLMAC;+QVERSION\r\n', true);
        assert.equal(await w.host.expect('\r\nOK\r\n', T), `\r\n${WLMAC}\r\n\r\n${VERSION}\r\n\r\nOK\r\n`);
        assert.equal(w.host.unread, '');
      }));
  });
}
