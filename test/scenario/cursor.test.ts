// The matching cursors and patterns on their own: a match never depends on how the bytes were
// chunked, a match moves the cursor past it, regexes are multiline on output; and the transcript.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineCursor, TextCursor } from '../../src/scenario/cursor.ts';
import { compilePattern, patternProblem } from '../../src/scenario/pattern.ts';
import { escapeBytes, Transcript } from '../../src/scenario/transcript.ts';
import { waitFor } from '../../src/scenario/wait.ts';

test('a pattern split over one-byte chunks matches once it is whole, and the cursor moves past it', () => {
  const cursor = new TextCursor();
  const ok = compilePattern('\r\nOK\r\n');
  const text = 'AT\r\r\n+QVERSION:X\r\n\r\nOK\r\n\r\nOK\r\n';
  let matchedAt = -1;
  for (const [i, ch] of [...text].entries()) {
    cursor.push(ch);
    if (matchedAt < 0 && cursor.peek(ok) !== null) matchedAt = i;
  }
  assert.equal(matchedAt, text.indexOf('\r\nOK\r\n') + 5, 'seen exactly when its last byte arrived');
  assert.equal(cursor.take(ok), '\r\nOK\r\n');
  assert.equal(cursor.take(ok), '\r\nOK\r\n', 'the second OK, after the cursor');
  assert.equal(cursor.take(ok), null, 'nothing left');
  assert.equal(cursor.take(compilePattern('+QVERSION')), null, 'before the cursor: never again');
});

test('regexes: re: prefix, multiline on output (^ and $ per line), literal otherwise', () => {
  const cursor = new TextCursor();
  cursor.push('\r\n+QSTASTAT:WLAN_CONNECTED\r\n\r\n+QSTASTAT:GOT_IP\r\n');
  assert.equal(cursor.take(compilePattern('re:^\\+QSTASTAT:(\\w+)\\r$', { multiline: true })), '+QSTASTAT:WLAN_CONNECTED\r');
  assert.equal(cursor.peek(compilePattern('re:GOT_.*')), 'GOT_IP', 'a dot stops at CR');
  assert.equal(cursor.peek(compilePattern('re:^\\+QSTASTAT:GOT_IP$', { multiline: true })), '+QSTASTAT:GOT_IP', 'CR ends a line for ^ and $');
  assert.equal(cursor.peek(compilePattern('+QSTASTAT:.*')), null, 'no re: prefix: a literal, dot and star included');
  assert.equal(patternProblem('re:(('), 'not a valid regular expression: Invalid regular expression: /((/g: Unterminated group');
  assert.equal(patternProblem(''), 'a pattern cannot be empty');
  assert.equal(patternProblem('re:a+'), null);
});

test('command lines: each searched on its own; a match moves past that line', () => {
  const lines = new LineCursor();
  for (const l of ['AT', 'AT+QMTCFG="version",0,4', 'AT+QMTOPEN=0,"b",1883', 'AT+QMTCFG="keepalive",0,60']) lines.push(l);
  const cfg = compilePattern('re:^AT\\+QMTCFG');
  assert.equal(lines.take(compilePattern('re:^AT\\+QMTOPEN')), 'AT+QMTOPEN=0,"b",1883');
  assert.equal(lines.take(cfg), 'AT+QMTCFG="keepalive",0,60', 'the version line lies before the cursor');
  assert.equal(lines.peek(cfg), null);
  assert.equal(lines.peek(compilePattern('re:^AT$')), null);
});

test('a search that found nothing resumes where a match could still start; another pattern searches everything', () => {
  const text = new TextCursor();
  const literal = compilePattern('+QMTRECV');
  for (const chunk of ['xx+QM', 'TR', 'E']) {
    text.push(chunk);
    assert.equal(text.peek(literal), null);
  }
  text.push('CV');
  assert.equal(text.take(literal), '+QMTRECV', 'a literal split over chunks after failed searches');
  const regex = compilePattern('re:A\\d+B');
  for (const chunk of ['A12', '3']) {
    text.push(chunk);
    assert.equal(text.peek(regex), null);
  }
  text.push('B');
  assert.equal(text.take(regex), 'A123B', 'a regex match that starts in text searched before');
  assert.equal(text.take(compilePattern('xx')), null, 'the cursor moved past it');
  const lines = new LineCursor();
  const open = compilePattern('re:^AT\\+QMTOPEN');
  lines.push('AT+QMTCFG');
  assert.equal(lines.peek(open), null);
  lines.push('AT+QMTOPEN=0');
  assert.equal(lines.peek(compilePattern('CFG')), 'AT+QMTCFG', 'a different pattern starts at the cursor');
  assert.equal(lines.take(open), 'AT+QMTOPEN=0');
});

test('waitFor: wakes on a change, ends with null at its limit, rejects when aborted', async () => {
  const cursor = new TextCursor();
  const controller = new AbortController();
  const ready = compilePattern('ready');
  setTimeout(() => cursor.push('rea'), 10);
  setTimeout(() => cursor.push('dy'), 20);
  const t0 = performance.now();
  assert.equal(await waitFor(() => cursor.take(ready), [(l) => cursor.onChange(l)], 2000, controller.signal), 'ready');
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(await waitFor(() => cursor.take(ready), [(l) => cursor.onChange(l)], 50, controller.signal), null);
  setTimeout(() => controller.abort(new Error('limit')), 10);
  await assert.rejects(waitFor(() => null, [], 5000, controller.signal), /limit/);
});

test('the transcript: > and < lines interleaved, escaped, a line ends at LF or when the other side speaks', () => {
  const t = new Transcript(1);
  for (const ch of 'AT+QVERSION\r\n') t.add(0, '>', Buffer.from(ch));
  t.add(0, '<', Buffer.from('AT+QV'));
  t.add(0, '>', Buffer.from([0x1b]));
  t.add(0, '<', Buffer.from('ERSION\r\n\r\nOK\r\n'));
  assert.equal(t.toString(), ['> AT+QVERSION\\r\\n', '< AT+QV', '> \\x1b', '< ERSION\\r\\n', '< \\r\\n', '< OK\\r\\n', ''].join('\n'));
  const several = new Transcript(2);
  several.add(1, '<', Buffer.from('ready\r\n'));
  several.add(0, '<', Buffer.from('x'));
  assert.equal(several.toString(), '[1] < ready\\r\\n\n[0] < x\n');
  assert.equal(escapeBytes(Buffer.from('a\\b\t\xff', 'latin1')), 'a\\\\b\\t\\xff');
});
