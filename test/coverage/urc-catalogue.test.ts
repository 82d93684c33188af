/**
 * The URC catalogue against the sources that print URCs (each group's reports.ts and the
 * `.urc(` calls in its commands.ts): a prefix or keyword a group gains must be added to the
 * catalogue, or the summary would never call it unseen. And how a URC line is keyed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { catalogueKey, URC_CATALOGUE, urcKey } from '../../src/coverage/index.ts';
import { deferredResult } from '../../src/coverage/urc-catalogue.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Code without comments. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** The source text that prints URCs: whole reports.ts files, and the lines of other group files that call `.urc(`. */
function urcSources(): { file: string; text: string }[] {
  return files(SRC)
    .filter((f) => !relative(SRC, f).startsWith('coverage/'))
    .flatMap((file) => {
      const text = code(readFileSync(file, 'utf8'));
      if (file.endsWith('reports.ts')) return [{ file, text }];
      const lines = text.split('\n').filter((l) => /\.urc\(/.test(l));
      return lines.length > 0 ? [{ file, text: lines.join('\n') }] : [];
    });
}

/** A type's string members: `export type StaEvent = 'A' | 'B';` */
function typeMembers(file: string, name: string): string[] {
  const m = new RegExp(`type ${name} = ([^;]+);`).exec(readFileSync(join(SRC, file), 'utf8'));
  assert.ok(m, `type ${name} in ${file}`);
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
}

test('every URC prefix and keyword the sources print is in the catalogue', () => {
  const keys = new Set(URC_CATALOGUE.map(catalogueKey));
  const prefixes = new Set(URC_CATALOGUE.map((e) => e.prefix));
  const keywords = new Set(URC_CATALOGUE.flatMap((e) => (e.keyword === undefined ? [] : [e.keyword])));
  const missing: string[] = [];
  let found = 0;
  for (const { file, text } of urcSources()) {
    const where = relative(SRC, file);
    for (const m of text.matchAll(/(\+Q[A-Z]+)(:\s?)?("[a-z ]+"|[A-Z_]+\b)?/g)) {
      const [, prefix, sep, keyword] = m;
      if (prefix === '+QHTTP' && text.slice(m.index + prefix.length).startsWith('${')) continue; // +QHTTP${method}: below
      if (/startsWith\(.$/.test(text.slice(0, m.index))) continue; // a test of a prefix, not a URC
      found++;
      if (!prefixes.has(prefix)) missing.push(`${where}: ${prefix}`);
      else if (keyword && sep && !keys.has(`${prefix}${sep}${keyword}`) && URC_CATALOGUE.some((e) => e.prefix === prefix && e.keyword !== undefined))
        missing.push(`${where}: ${prefix}${sep}${keyword}`);
    }
    // `${urcPrefix(type)}: "recv"`: a keyword under a prefix chosen at run time.
    for (const m of text.matchAll(/\}: ("[a-z ]+")/g)) {
      found++;
      if (!keywords.has(m[1])) missing.push(`${where}: ${m[1]}`);
    }
  }
  for (const event of typeMembers('wifi/station.ts', 'StaEvent')) if (!keys.has(`+QSTASTAT:${event}`)) missing.push(`+QSTASTAT:${event}`);
  for (const method of typeMembers('http/service.ts', 'HttpMethod')) if (!prefixes.has(`+QHTTP${method}`)) missing.push(`+QHTTP${method}`);
  assert.ok(found > 25, `found ${found} URC formats in the sources`);
  assert.deepEqual(missing, []);
});

test('every catalogue entry is printed somewhere in the sources (none stale)', () => {
  const all = urcSources()
    .map((s) => s.text)
    .join('\n');
  const events = typeMembers('wifi/station.ts', 'StaEvent');
  const methods = typeMembers('http/service.ts', 'HttpMethod').map((m) => `+QHTTP${m}`);
  for (const e of URC_CATALOGUE) {
    const printed = all.includes(e.prefix) || methods.includes(e.prefix) || (e.prefix === '+QSSLURC' && all.includes("'+QSSLURC'"));
    assert.ok(printed, `${e.prefix} is printed somewhere`);
    if (e.keyword !== undefined) assert.ok(all.includes(e.keyword) || events.includes(e.keyword), `${catalogueKey(e)}: keyword printed`);
  }
});

test('urcKey: prefix, with the first parameter where it names the event; null for what is not a URC line', () => {
  const cases: [string, string | null][] = [
    ['+QIURC: "recv",0', '+QIURC: "recv"'],
    ['+QIURC: "recv",0,5', '+QIURC: "recv"'],
    ['+QIURC: "incoming full"', '+QIURC: "incoming full"'],
    ['+QSSLURC: "closed",2', '+QSSLURC: "closed"'],
    ['+QSTASTAT:WLAN_DISCONNECTED', '+QSTASTAT:WLAN_DISCONNECTED'],
    ['+QBLESTAT:CONNECTED', '+QBLESTAT:CONNECTED'],
    ['+QBLEMTU:<23>', '+QBLEMTU'],
    ['+QBLESCAN:SENSOR,0,d0:12:34:56:78:9a', '+QBLESCAN'],
    ['+QIOPEN: 0,551', '+QIOPEN'],
    ['+QMTRECV: 0,1,"sensors/t",4,"21.5"', '+QMTRECV'],
    ['+QNEW: "thing",1', '+QNEW: "thing"'],
    ['hello from a BLE peer', null],
    ['', null],
  ];
  for (const [line, key] of cases) assert.equal(urcKey(line), key, line);
});

test('deferredResult: the result parameter of a command\'s own URC', () => {
  assert.deepEqual(deferredResult('+QIOPEN: 0,551'), { command: 'AT+QIOPEN', outcome: '551' });
  assert.deepEqual(deferredResult('+QSSLOPEN: 3,0'), { command: 'AT+QSSLOPEN', outcome: '0' });
  assert.deepEqual(deferredResult('+QMTCONN: 0,0,0'), { command: 'AT+QMTCONN', outcome: '0' });
  assert.deepEqual(deferredResult('+QMTPUB: 0,1,2'), { command: 'AT+QMTPUB', outcome: '2' });
  assert.deepEqual(deferredResult('+QHTTPGET: 0,200,12'), { command: 'AT+QHTTPGET', outcome: '0' });
  assert.equal(deferredResult('+QIURC: "recv",0'), null);
  assert.equal(deferredResult('+QMTSTAT: 0,1'), null, 'a URC of its own, no command behind it');
  assert.equal(deferredResult('+QIOPEN: 0'), null);
});
