// How the dashboard's timeline reads trace records (src/control/dashboard/script-records.ts):
// the page's own script, run here in node (that part has no DOM).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SCRIPT_RECORDS } from '../../src/control/dashboard/script-records.ts';

interface Shown {
  cls: string;
  label: string;
  text: string;
  title?: string;
}
interface State {
  pending: string;
}
type Rec = Record<string, unknown>;

const page = new Function(`${SCRIPT_RECORDS}\nreturn { describe, flushSent, abbreviate, printable, clock };`)() as {
  describe(record: Rec, state: State): Shown | null;
  flushSent(state: State): Shown | null;
  abbreviate(latin1: string): [string, string];
  printable(latin1: string): string;
  clock(record: Rec): string;
};

const M = 'module 0';

describe('the dashboard reads trace records', () => {
  test('commands, final results (errors marked), URCs and responses told apart', () => {
    const state = { pending: '' };
    const kinds = [
      { module: M, dir: 'in', command: 'AT+QIOPEN=1,0,"TCP","example.com",80' },
      { module: M, dir: 'out', text: '\r\nOK\r\n', kind: 'final', line: 'OK' },
      { module: M, dir: 'out', text: '\r\n+CME ERROR: 551\r\n', kind: 'final', line: '+CME ERROR: 551' },
      { module: M, dir: 'out', text: '\r\n+QIURC: "closed",0\r\n', kind: 'urc', line: '+QIURC: "closed",0' },
      { module: M, dir: 'out', text: '\r\n+QVERSION:X\r\n', kind: 'response', line: '+QVERSION:X' },
      { module: M, dir: 'out', text: '> ', kind: 'prompt' },
    ].map((r) => page.describe(r, state));
    assert.deepEqual(
      kinds.map((s) => [s!.cls, s!.label, s!.text]),
      [
        ['row-command', 'cmd', 'AT+QIOPEN=1,0,"TCP","example.com",80'],
        ['row-final', 'final', 'OK'],
        ['row-final err', 'final', '+CME ERROR: 551'],
        ['row-urc', 'urc', '+QIURC: "closed",0'],
        ['row-response', 'resp', '+QVERSION:X'],
        ['row-prompt', 'prompt', '> '],
      ],
    );
    assert.equal(page.describe({ module: M, dir: 'out', text: 'AT\r', kind: 'echo' }, state), null);
  });

  test("the host's bytes: a command line shows once, as the command; other bytes as sent data", () => {
    const state = { pending: '' };
    assert.equal(page.describe({ dir: 'in', text: 'AT+QVER' }, state), null);
    assert.equal(page.describe({ dir: 'in', text: 'SION\r' }, state), null);
    assert.equal(page.describe({ dir: 'in', command: 'AT+QVERSION' }, state)!.label, 'cmd');
    assert.equal(page.flushSent(state), null, 'the command line also showed as data');
    page.describe({ dir: 'in', text: 'hello\r\n' }, state);
    assert.deepEqual(page.flushSent(state), { cls: 'row-sent data', label: 'sent', text: 'hello\r\n' });
    assert.equal(state.pending, '');
  });

  test('long data is cut, with its size in bytes', () => {
    const data = 'x'.repeat(1234);
    assert.deepEqual(page.abbreviate(data), ['x'.repeat(96), ' … (1,234 bytes)']);
    assert.deepEqual(page.abbreviate('y'.repeat(120)), ['y'.repeat(120), '']);
    const shown = page.describe({ dir: 'out', text: data, kind: 'data' }, { pending: '' })!;
    assert.equal(shown.cls, 'row-data');
    assert.equal(shown.text, data); // the row cuts it (abbreviate), the record is kept whole
  });

  test('bytes: UTF-8 as characters, control and other bytes escaped', () => {
    assert.equal(page.printable('a\r\n\t\x00b'), 'a\\r\\n\\t\\x00b');
    assert.equal(page.printable(Buffer.from('café ✓', 'utf8').toString('latin1')), 'café ✓');
    assert.equal(page.printable('\xff\xfe'), '\\xff\\xfe');
  });

  test("the emulator's notes: the cause behind a result code, hosts, faults, bugs", () => {
    const s = { pending: '' };
    assert.deepEqual(page.describe({ module: M, dir: 'info', failure: { feature: 'tcpip', result: 551, detail: 'connect to 1.2.3.4:80', cause: 'ECONNREFUSED' } }, s), {
      cls: 'row-failure',
      label: 'failure',
      text: 'tcpip result 551 ← ECONNREFUSED: connect to 1.2.3.4:80',
    });
    assert.equal(page.describe({ module: M, dir: 'info', host: 'connected', peer: '127.0.0.1:5' }, s)!.text, 'connected 127.0.0.1:5');
    const fault = { id: 'f2', kind: 'refuse', host: 'example.com', port: 443, started: 'x', hits: 0 };
    assert.deepEqual(page.describe({ dir: 'info', faultStarted: fault }, s), { cls: 'row-info', label: 'fault on', text: 'f2 refuse host=example.com port=443' });
    const bug = page.describe({ module: M, dir: 'info', fault: 'TypeError: x\n    at y' }, s)!;
    assert.deepEqual([bug.cls, bug.text, bug.title], ['row-fault', 'TypeError: x', 'TypeError: x\n    at y']);
    assert.equal(page.describe({ dir: 'info', somethingNew: 1 }, s)!.text, '{"somethingNew":1}');
    const ap = { ssid: 'Office', password: 'correct-horse', up: false, rssi: -48 };
    const world = (change: Rec) => page.describe({ dir: 'info', world: change }, s)!.text;
    assert.equal(world({ accessPoint: ap, change: 'changed', patch: { up: false } }), 'AP Office changed {"up":false}');
    assert.equal(world({ peer: 'HRM-1', notify: { uuid: '2a37', hex: '0048' } }), 'peer HRM-1 {"notify":{"uuid":"2a37","hex":"0048"}}');
    assert.equal(world({ host: 'echo.test', change: 'removed' }), 'host echo.test removed');
  });

  test('wall-clock time to the millisecond, from the record', () => {
    const time = new Date(2026, 11, 1, 9, 5, 7, 42).toISOString();
    assert.equal(page.clock({ time, t: 5 }), '09:05:07.042');
  });
});
