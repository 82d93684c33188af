import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argsWithRest, parseLine, type ParsedCommand, type RawArg, splitArgs } from '../../src/at/parse.ts';

function commands(line: string): ParsedCommand[] {
  const r = parseLine(line);
  assert.ok(r.ok, `${JSON.stringify(line)} should parse: ${r.ok ? '' : r.reason}`);
  return r.commands;
}

function fails(line: string): void {
  assert.equal(parseLine(line).ok, false, `${JSON.stringify(line)} should not parse`);
}

/** Shorthand for arguments: `"x"` quoted, `` empty, anything else unquoted. */
function args(...texts: string[]): RawArg[] {
  return texts.map((t) =>
    t.startsWith('"') ? { text: t.slice(1, -1), quoted: true, empty: false } : { text: t, quoted: false, empty: t === '' },
  );
}

test('empty lines and AT alone hold no commands', () => {
  for (const line of ['', '   ', 'AT', 'at', ' AT ', 'AT;']) assert.deepEqual(commands(line), [], JSON.stringify(line));
});

test('lines that do not start with AT are not command lines', () => {
  for (const line of ['HELLO', 'A T', '+QVERSION', 'TA', 'A', '\0AT']) fails(line);
});

test('the four forms of an extended command', () => {
  assert.deepEqual(commands('AT+QVERSION'), [{ name: '+QVERSION', source: '+QVERSION', form: 'exec', args: [] }]);
  assert.deepEqual(commands('AT+QECHO?'), [{ name: '+QECHO', source: '+QECHO?', form: 'read', args: [] }]);
  assert.deepEqual(commands('AT+QECHO=?'), [{ name: '+QECHO', source: '+QECHO=?', form: 'test', args: [] }]);
  assert.deepEqual(commands('AT+QECHO=1'), [{ name: '+QECHO', source: '+QECHO=1', form: 'write', args: args('1') }]);
});

test('names are upper-cased, the source keeps what was typed', () => {
  assert.deepEqual(commands('at+qVersion'), [{ name: '+QVERSION', source: '+qVersion', form: 'exec', args: [] }]);
  assert.equal(commands('AT+Q_X9')[0].name, '+Q_X9');
});

test('spaces: ignored around the line and the parameters, significant in the name', () => {
  assert.deepEqual(commands('  AT+QECHO= 1  ')[0].args, args('1'));
  assert.equal(commands('AT+QECHO? ')[0].form, 'read');
  fails('AT+QE CHO=1');
  fails('AT+QECHO =1');
  fails('AT+QECHO ?');
  fails('AT+QECHO =?');
  fails('AT+ QECHO');
  // `= ?` is a write whose argument is `?`, not the test form.
  assert.deepEqual(commands('AT+QECHO= ?')[0], { name: '+QECHO', source: '+QECHO= ?', form: 'write', args: args('?') });
});

test('bad syntax after an extended name', () => {
  for (const line of ['AT+QECHO?=', 'AT+QECHO??', 'AT+', 'AT+QECHO!']) fails(line);
});

test('arguments that do not split are marked malformed: only a rest-of-line parameter takes them', () => {
  for (const line of ['AT+QECHO=="1', 'AT+QECHO="1', 'AT+QECHO=1"', 'AT+QBLEGATTSNTFY=fff3,{"a":1}']) {
    const [command] = commands(line);
    assert.equal(command.malformed, true, line);
    assert.deepEqual(command.args, [], line);
  }
  assert.deepEqual(argsWithRest(commands('AT+QBLEGATTSNTFY=fff3,{"a":1}, b')[0], 1), [
    { text: 'fff3', quoted: false, empty: false },
    { text: '{"a":1}, b', quoted: false, empty: false },
  ]);
  assert.deepEqual(argsWithRest(commands('AT+X=ff01,AT+QSTAAPINFO=a\\,b')[0], 1)?.[1].text, 'AT+QSTAAPINFO=a\\,b');
  assert.deepEqual(argsWithRest(commands('AT+X=ff01, "quoted, all"')[0], 1)?.[1], { text: 'quoted, all', quoted: true, empty: false });
});

test('write arguments: quoted, unquoted, empty positions', () => {
  assert.deepEqual(commands('AT+X=1,,3')[0].args, args('1', '', '3'));
  assert.deepEqual(commands('AT+X="a,b", c d ,"e f"')[0].args, args('"a,b"', 'c d', '"e f"'));
  assert.deepEqual(commands('AT+X=')[0].args, args(''));
});

test('basic commands: AT<x><n>, digits only', () => {
  assert.deepEqual(commands('ATO'), [{ name: 'O', source: 'O', form: 'exec', args: [] }]);
  assert.deepEqual(commands('ato'), [{ name: 'O', source: 'o', form: 'exec', args: [] }]);
  assert.deepEqual(commands('ATE0'), [{ name: 'E', source: 'E0', form: 'write', args: args('0') }]);
  assert.deepEqual(commands('AT&F'), [{ name: '&F', source: '&F', form: 'exec', args: [] }]);
  for (const line of ['ATEX', 'ATO?', 'ATO=?', 'AT&', 'AT?', 'AT=', 'AT1']) fails(line);
});

test('chaining with ; (§1.2): each command after the first may repeat AT', () => {
  const names = (line: string) => commands(line).map((c) => `${c.name}:${c.form}`);
  assert.deepEqual(names('AT+QVERSION;+QWLMAC'), ['+QVERSION:exec', '+QWLMAC:exec']);
  assert.deepEqual(names('AT+QVERSION;AT+QWLMAC'), ['+QVERSION:exec', '+QWLMAC:exec']);
  assert.deepEqual(names('at+a=1 ; at+b? ;+c=?'), ['+A:write', '+B:read', '+C:test']);
  assert.deepEqual(names('AT+QVERSION;'), ['+QVERSION:exec']);
  assert.deepEqual(names('AT;+QVERSION'), ['+QVERSION:exec']);
  assert.deepEqual(commands('AT+A=1;+B=2').map((c) => c.args), [args('1'), args('2')]);
  // A bad command anywhere makes the whole line fail to parse.
  fails('AT+QVERSION;+QE CHO=1');
});

test('; splits only outside quotes and only before another + command', () => {
  assert.deepEqual(commands('AT+X="a;+B",1'), [{ name: '+X', source: '+X="a;+B",1', form: 'write', args: args('"a;+B"', '1') }]);
  // An unquoted Wi-Fi key keeps its `;`.
  assert.deepEqual(commands('AT+QSTAAPINFO=ssid,pa;ss')[0].args, args('ssid', 'pa;ss'));
  assert.equal(commands('AT+X=a;b;+Y').length, 2);
  assert.deepEqual(commands('AT+X=a;b;+Y')[0].args, args('a;b'));
});

test('splitArgs: one argument, empty ones, spaces', () => {
  assert.deepEqual(splitArgs('1'), args('1'));
  assert.deepEqual(splitArgs(''), args(''));
  assert.deepEqual(splitArgs(','), args('', ''));
  assert.deepEqual(splitArgs('1,'), args('1', ''));
  assert.deepEqual(splitArgs(',1'), args('', '1'));
  assert.deepEqual(splitArgs('  a b  ,  c'), args('a b', 'c'));
  assert.deepEqual(splitArgs('   '), args(''));
});

test('splitArgs: quoted strings keep commas and spaces, and may be empty', () => {
  assert.deepEqual(splitArgs('"a, b"'), args('"a, b"'));
  assert.deepEqual(splitArgs('""'), [{ text: '', quoted: true, empty: false }]);
  assert.deepEqual(splitArgs('"a" , "b"'), args('"a"', '"b"'));
  assert.deepEqual(splitArgs('"a",'), args('"a"', ''));
  assert.deepEqual(splitArgs(' "x" '), args('"x"'));
  assert.deepEqual(splitArgs('"é ü"'), args('"é ü"'));
});

test('splitArgs: unbalanced or misplaced quotes give null', () => {
  for (const text of ['"abc', 'ab"c', 'abc"', '"a"b', '"a" "b"', '1,"2', '"a",b"', '"']) {
    assert.equal(splitArgs(text), null, JSON.stringify(text));
  }
});
