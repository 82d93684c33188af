/**
 * Line endings over every wire (docs/at-engine.md "Lines"): `\r`, `\r\n` and `\r\r` end a line
 * alike, written at once or one byte per write; a stray CRLF or blank line gets no answer; several
 * lines in one write are answered in order, each once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WIRES, writeAs } from '../helpers/wires.ts';
import { T, withModule, WLMAC } from './setup.ts';

const ENDINGS = { CR: '\r', CRLF: '\r\n', CRCR: '\r\r' } as const;
const OK = '\r\nOK\r\n';

for (const kind of WIRES) {
  describe(`line endings over ${kind}`, () => {
    for (const bytewise of [false, true]) {
      const how = bytewise ? 'one byte per write' : 'one write';
      test(`\\r, \\r\\n and \\r\\r each end a line, answered once (${how})`, () =>
        withModule(kind, {}, async (w) => {
          for (const [name, ending] of Object.entries(ENDINGS)) {
            await writeAs(w.host, `AT${ending}`, bytewise);
            assert.equal(await w.host.expect(OK, T), OK, name);
            await writeAs(w.host, `AT+QWLMAC${ending}`, bytewise);
            assert.equal(await w.host.expect(OK, T), `\r\n${WLMAC}\r\n${OK}`, name);
          }
          // Nothing more: no answer to the LF or the second CR. `AT` is answered exactly once.
          await writeAs(w.host, 'AT\r', bytewise);
          assert.equal(await w.host.expect(OK, T), OK);
          assert.equal(w.host.unread, '');
        }));

      test(`a stray CRLF, blank lines and spaces get no answer (${how})`, () =>
        withModule(kind, {}, async (w) => {
          await writeAs(w.host, '\r\n\r\n\r\r  \r\n\n', bytewise);
          await writeAs(w.host, 'AT\r\n', bytewise);
          assert.equal(await w.host.expect(OK, T), OK, 'the first thing said is the answer to AT');
          await writeAs(w.host, '\r\n', bytewise);
          await writeAs(w.host, 'AT+QWLMAC\r', bytewise);
          assert.equal(await w.host.expect(OK, T), `\r\n${WLMAC}\r\n${OK}`);
          assert.equal(w.host.unread, '');
        }));
    }

    test('several lines in one write are answered in order, each once', () =>
      withModule(kind, {}, async (w) => {
        w.host.write('AT\r\nAT+QWLMAC\rAT+QNOSUCH\r\rAT\r\n');
        const all = `${OK}\r\n${WLMAC}\r\n${OK}\r\nERROR\r\n${OK}`;
        let got = '';
        while (got.length < all.length) got += await w.host.expect(/\r\n(OK|ERROR)\r\n/, T);
        assert.equal(got, all);
        assert.equal(w.host.unread, '');
      }));
  });
}
