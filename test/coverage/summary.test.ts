/** coverageSummary: totals against FEATURES and the URC catalogue, and what was never touched. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverageSummary, declaredCommands, URC_CATALOGUE } from '../../src/coverage/index.ts';
import { FEATURES } from '../../src/features.ts';
import { coveredModule, T } from './rig.ts';

/** The table row of a command or URC (rows start with two spaces and the key). */
const row = (summary: string, key: string) => summary.split('\n').find((l) => l.startsWith(`  ${key} `) || l === `  ${key}`);

test('after a short session: totals count what ran, untouched commands and URCs are listed, touched ones are not', async () => {
  const m = await coveredModule();
  try {
    await m.at('AT+QVERSION');
    await m.at('AT+QECHO=?');
    await m.at('AT+QECHO=1');
    await m.at('AT+QGETWIFISTATE'); // ERROR: not associated
    await m.at('AT+QSTAAPINFO=Office,correct-horse');
    await m.host.expect('+QSTASTAT:GOT_IP\r\n', T);
    await m.at('AT+FOO');
  } finally {
    m.close();
  }
  const summary = coverageSummary(m.recorder.report());
  const declared = FEATURES.reduce((n, f) => n + f.commands.length, 0);
  const forms = declaredCommands().reduce((n, c) => n + c.forms.length, 0);
  assert.ok(declared > 70 && forms > declared, `${declared} commands, ${forms} forms`);
  // Touched: QVERSION, QECHO, QGETWIFISTATE, QSTAAPINFO. Forms: exec, =? and =, exec, =. Answered OK: all but QGETWIFISTATE.
  assert.equal(
    summary.split('\n')[0],
    `AT coverage: commands 4/${declared} touched, forms 5/${forms} used, 3/${declared} answered OK, URCs 2/${URC_CATALOGUE.length} seen`,
  );
  assert.equal(row(summary, 'AT+QVERSION'), undefined, 'its one form used and answered OK: not listed');
  assert.equal(row(summary, 'AT+QECHO'), undefined);
  assert.match(row(summary, 'AT+QRST') ?? '', /^ {2}AT\+QRST +system +exec +never$/);
  assert.match(row(summary, 'AT+QSTAAPINFO') ?? '', /wifi +test +yes$/, 'written, never =?');
  assert.match(row(summary, 'AT+QGETWIFISTATE') ?? '', /wifi +- +never \(ERROR 1\)$/, 'used, but never OK');
  assert.match(row(summary, 'AT+QISTATE') ?? '', /tcpip +test, read, write, exec +never$/);
  assert.match(row(summary, 'ATE') ?? '', /system +write, exec +never$/, 'a basic command has no =?');
  assert.match(row(summary, '+QSTASTAT:WLAN_DISCONNECTED') ?? '', /wifi$/);
  assert.match(row(summary, '+QIURC: "recv"') ?? '', /tcpip$/);
  assert.equal(row(summary, '+QSTASTAT:GOT_IP'), undefined, 'seen');
  assert.match(summary, /Sent, but declared by no group \(1\):\n.*\n {2}AT\+FOO +exec 1 +ERROR 1\n/);
});

test('a report that covers everything says so, and one with a URC outside the catalogue lists it', () => {
  const commands = Object.fromEntries(
    declaredCommands().map((c) => [c.key, { forms: Object.fromEntries(c.forms.map((f) => [f, 1])), outcomes: { OK: 1 } }]),
  );
  const urcs = Object.fromEntries(URC_CATALOGUE.map((u) => [u.keyword === undefined ? u.prefix : `${u.prefix}${u.sep}${u.keyword}`, 1]));
  const full = coverageSummary({ version: 1, commands, urcs: { ...urcs, '+QNEW: "thing"': 2 } });
  const n = declaredCommands().length;
  assert.match(full, new RegExp(`^AT coverage: commands ${n}/${n} touched, forms (\\d+)/\\1 used, ${n}/${n} answered OK, URCs ${URC_CATALOGUE.length}/${URC_CATALOGUE.length} seen\n`));
  assert.match(full, /Every declared command was sent in every form and answered OK\./);
  assert.match(full, /Every URC in the catalogue was seen\./);
  assert.match(full, /URCs seen that the catalogue does not list \(1\):\n.*\n {2}\+QNEW: "thing" +2\n/);
});
