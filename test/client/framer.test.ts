// The client's line framing and URC parsing on their own: what real modules print, cut into
// reads of every size (one byte each included) — the events must not depend on the cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FramerEvent, LineFramer, MAX_LINE } from '../../src/client/framer.ts';
import { parseUrc, splitParams } from '../../src/client/index.ts';

/** The events `text` gives when it arrives in reads of `size` bytes. */
function frame(text: string | Buffer, size: number, setup?: (f: LineFramer) => void): string[] {
  const events: string[] = [];
  const f = new LineFramer((e: FramerEvent) => {
    if (e.kind === 'prompt') events.push('prompt');
    else if (e.kind === 'raw') events.push(`raw:${e.bytes.toString('latin1')}`);
    else events.push(e.data ? `${e.text}|${e.data.toString('latin1')}` : e.text);
    if (e.kind === 'line' && e.text === 'CONNECT') f.enterRaw(['\r\nNO CARRIER\r\n']);
  });
  setup?.(f);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (let i = 0; i < bytes.length; i += size) f.push(bytes.subarray(i, i + size));
  f.flush();
  return merged(events);
}

/** Raw events next to each other as one (how raw bytes are cut depends on the reads). */
function merged(events: string[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const last = out.length - 1;
    if (e.startsWith('raw:') && out[last]?.startsWith('raw:')) out[last] += e.slice(4);
    else out.push(e);
  }
  return out;
}

function sameAtEveryCut(text: string, expected: string[], setup?: (f: LineFramer) => void): void {
  for (let size = 1; size <= text.length; size++) assert.deepEqual(frame(text, size, setup), expected, `reads of ${size}`);
}

test('echo, information lines, final results; empty lines skipped', () => {
  sameAtEveryCut('AT+QVERSION\r\r\n+QVERSION:FC41DAAR03A09M02.bin_202406260343\r\n\r\nOK\r\n', [
    'AT+QVERSION',
    '+QVERSION:FC41DAAR03A09M02.bin_202406260343',
    'OK',
  ]);
});

test('direct push: +QIURC: "recv",<id>,<len> takes <len> bytes, CR/LF in them included', () => {
  sameAtEveryCut('\r\n+QIURC: "recv",0,7\r\na\r\nOK\r\n\r\n\r\n+QIURC: "closed",0\r\n', ['+QIURC: "recv",0,7|a\r\nOK\r\n', '+QIURC: "closed",0']);
  sameAtEveryCut('\r\n+QHTTPURC: "recv",3\r\n>\r\n\r\n+QHTTPREAD: 0\r\n', ['+QHTTPURC: "recv",3|>\r\n', '+QHTTPREAD: 0']);
});

test('+QIRD:<len> and its data line; +QIRD:<total>,<read>,<unread> and +QIRD:0 have none', () => {
  sameAtEveryCut('\r\n+QIRD:4\r\n\r\n\r\nab\r\n\r\nOK\r\n', ['+QIRD:4|\r\nab', 'OK']);
  sameAtEveryCut('\r\n+QIRD:10,10,0\r\n\r\nOK\r\n\r\n+QIRD:0\r\n\r\nOK\r\n', ['+QIRD:10,10,0', 'OK', '+QIRD:0|', 'OK']);
});

test('+QMTRECV: the payload is raw: CR/LF, quotes and commas in it belong to it', () => {
  sameAtEveryCut('\r\n+QMTRECV: 0,1,"t/1",11,"{"a":"\r\n,"}"\r\n\r\nOK\r\n', ['+QMTRECV: 0,1,"t/1",11,"{"a":"\r\n,"}"|{"a":"\r\n,"}', 'OK']);
  const u = parseUrc('+QMTRECV: 0,1,"t/1",5,"a,b""', Buffer.from('a,b""'));
  assert.deepEqual(u.params, ['0', '1', 't/1', '5', 'a,b""']);
});

test('a prompt without CRLF, only while one is awaited', () => {
  const armed = (f: LineFramer) => (f.promptArmed = true);
  sameAtEveryCut('AT+QISEND=0,5\r\r\n> ', ['AT+QISEND=0,5', 'prompt'], armed);
  assert.deepEqual(frame('\r\n> ', 16), ['raw:> ']);
});

test('raw mode after CONNECT until NO CARRIER, the marker split across reads', () => {
  sameAtEveryCut('\r\nCONNECT\r\nhello\r\nNO\r\n\r\nNO CARRIER\r\n\r\n+QIURC: "closed",1\r\n', [
    'CONNECT',
    'raw:hello\r\nNO\r\n',
    'NO CARRIER',
    '+QIURC: "closed",1',
  ]);
});

test('unterminated bytes (BLE data) come out raw on flush()', () => {
  assert.deepEqual(frame('\r\nOK\r\n\x01\x02abc', 3), ['OK', 'raw:\x01\x02abc']);
});

test('params: quote-aware, quotes off, unquoted fields trimmed', () => {
  assert.deepEqual(splitParams('"recv",0,5'), ['recv', '0', '5']);
  assert.deepEqual(splitParams('"Office, 2nd floor",WPA2_AES_PSK,48,f0:9b:b8:32:94:b0 ,6'), ['Office, 2nd floor', 'WPA2_AES_PSK', '48', 'f0:9b:b8:32:94:b0', '6']);
  assert.deepEqual(splitParams(''), []);
  assert.deepEqual(parseUrc('+QSTASTAT:GOT_IP'), { name: '+QSTASTAT', params: ['GOT_IP'], line: '+QSTASTAT:GOT_IP' });
  assert.deepEqual(parseUrc('+QBLEINFO: 12 2a00').params, ['12 2a00']);
  assert.deepEqual(parseUrc('ready'), { name: 'ready', params: [], line: 'ready' });
});

test('noise never stalls the framing: an endless line goes out raw, an unbelievable count is a plain line', () => {
  const noise = Buffer.alloc(MAX_LINE * 2, 0x41);
  const events = frame(Buffer.concat([noise, Buffer.from('\r\nOK\r\n')]), 1000);
  assert.equal(events.at(-1), 'OK');
  assert.ok(events[0].startsWith('raw:'), events[0].slice(0, 10));
  assert.equal(events.slice(0, -1).join('').replace(/raw:/g, ''), noise.toString('latin1'), 'every byte came out');
  assert.deepEqual(frame('\r\n+QIURC: "recv",0,99999999999\r\nOK\r\n', 5), ['+QIURC: "recv",0,99999999999', 'OK']);
});
