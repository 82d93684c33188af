/**
 * Hostile input (DESIGN.md "Tests"): random bytes, overlong lines, wrong types and ranges
 * generated from the command registry, and input in the wrong power state. The module must
 * answer with a clear result code, never throw, and keep working.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { parseLine } from '../src/at/parse.ts';
import type { ParamSpec } from '../src/commands/params.ts';
import { declare } from '../src/commands/declare.ts';
import { type CommandSpec, Registry } from '../src/commands/registry.ts';
import type { ExecContext } from '../src/at/engine.ts';
import { createModule, type ModuleOptions } from '../src/index.ts';
import { AtHost } from './helpers/at-host.ts';
import { prng } from '../scripts/hostile-lines.ts';

const ERROR = '\r\nERROR\r\n';

async function start(opts: ModuleOptions = {}) {
  const m = createModule({ bootMs: 5, echo: false, ...opts });
  const host = new AtHost(m.stream);
  const faults: unknown[] = [];
  m.module.on('fault', (e) => faults.push(e));
  if (m.module.state !== 'off') await host.expect('\r\nready\r\n');
  return { ...m, host, faults };
}

/** Waits until no output has come for quietMs; returns (and consumes) what came. */
async function settle(host: AtHost, quietMs = 100): Promise<string> {
  let text = '';
  for (;;) {
    const more = await host.collect(quietMs);
    if (more === '') return text;
    text += more;
  }
}

async function assertAlive(m: Awaited<ReturnType<typeof start>>, why: string): Promise<void> {
  assert.equal((await m.host.command('AT')).final, 'OK', `AT after ${why}`);
  assert.equal(m.module.state, 'on', `powered after ${why}`);
  assert.deepEqual(m.faults, [], `no handler fault after ${why}`);
}

// Fragments that reach deeper than pure noise; no QRST/QDEEPSLEEP, which would (rightly) stop answering.
const FRAGMENTS = ['AT', 'at', '+QVERSION', '+QECHO=', '+QURCCFG=', '+QSETBAND=', '+QWLMAC', '=?', '?', ';', ',', '"', '\r', '\n', '\b', '0', '1', ' ', '+++', 'ATO'];

test('200 KB of seeded random bytes in random chunks: the module keeps answering', async () => {
  const seed = Number(process.env.HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 32));
  const m = await start();
  try {
    let lines = 0;
    m.module.on('line', () => lines++);
    const rand = prng(seed);
    const parts: Buffer[] = [];
    for (let size = 0; size < 200 * 1024; ) {
      const part =
        rand() < 0.7
          ? Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)))
          : Buffer.from(FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)], 'latin1');
      parts.push(part);
      size += part.length;
    }
    const all = Buffer.concat(parts);
    for (let i = 0; i < all.length; ) {
      const n = 1 + Math.floor(rand() ** 3 * 8192); // mostly small chunks, some large
      m.host.write(all.subarray(i, i + n));
      i += n;
      if (rand() < 0.5) await tick();
    }
    await settle(m.host);
    m.host.write('\r');
    await settle(m.host);
    await assertAlive(m, 'random bytes');
    assert.ok(lines > 100, `the module read ${lines} lines`);
  } catch (error) {
    if (error instanceof Error) error.message = `HOSTILE_SEED=${seed}: ${error.message}`;
    throw error;
  } finally {
    m.close();
  }
});

test('overlong lines of 5 KB, 64 KB and 1 MB: one ERROR each, then AT works', async () => {
  const m = await start();
  for (const size of [5 * 1024, 64 * 1024, 1024 * 1024]) {
    const line = Buffer.from('AT+QECHO=' + 'A'.repeat(size));
    for (let i = 0; i < line.length; i += 16 * 1024) m.host.write(line.subarray(i, i + 16 * 1024));
    m.host.write('\r');
    assert.equal(await m.host.expect(ERROR), ERROR, `${size} bytes`);
    assert.equal(await settle(m.host, 50), '', `only one ERROR for ${size} bytes`);
    await assertAlive(m, `an overlong line of ${size} bytes`);
  }
  m.close();
});

// Probes generated from the registry: every one is a line the module must answer ERROR.

interface Probe {
  line: string;
  /** The registry's reject reason; unused when the line does not even parse. */
  reason: RegExp;
}

/** A value each parameter accepts, as typed on the command line. */
function validText(p: ParamSpec): string {
  switch (p.type) {
    case 'int':
      return String(p.values?.[0] ?? p.min ?? 0);
    case 'hex':
      return `0x${(p.min ?? 0).toString(16)}`;
    case 'string': {
      const v = p.values?.[0] ?? (p.format === 'ipv4' ? '192.168.1.1' : 'a'.repeat(Math.max(p.minLength ?? 1, 1)));
      return p.quoted ? `"${v}"` : v;
    }
  }
}

/** Wrong values for one parameter, with the reason validation should give. */
function badValues(p: ParamSpec): [string, RegExp][] {
  const name = p.name.replace(/[^\w]/g, '.');
  const notInt = new RegExp(`${name}: not an integer`);
  const range = new RegExp(`${name}: .* out of range`);
  switch (p.type) {
    case 'int': {
      const out: [string, RegExp][] = [['x', notInt], ['1.5', notInt], ['"1"', notInt], ['12345678901', notInt]];
      if (p.values) {
        // Past either end, and the first gap inside (9601 for the baud rates).
        const bad = [Math.max(...p.values) + 1, Math.min(...p.values) - 1];
        for (let v = Math.min(...p.values) + 1; v < Math.max(...p.values); v++) {
          if (!p.values.includes(v)) {
            bad.push(v);
            break;
          }
        }
        for (const v of bad) out.push([String(v), new RegExp(`${name}: ${v} not allowed`)]);
      } else {
        if (p.min !== undefined) out.push([String(p.min - 1), range]);
        if (p.max !== undefined) out.push([String(p.max + 1), range]);
      }
      return out;
    }
    case 'hex': {
      const notHex = new RegExp(`${name}: not a 0x hex integer`);
      const out: [string, RegExp][] = [['zz', notHex], ['0x', notHex], ['12', notHex]];
      if (p.min !== undefined && p.min > 0) out.push([`0x${(p.min - 1).toString(16)}`, range]);
      if (p.max !== undefined) out.push([`0x${(p.max + 1).toString(16)}`, range]);
      return out;
    }
    case 'string': {
      const out: [string, RegExp][] = [];
      // A counted payload is as long as its length parameter says (the engine takes it by count).
      if (p.maxLength !== undefined && !p.counted) out.push([`"${'a'.repeat(p.maxLength + 1)}"`, new RegExp(`${name}: too long`)]);
      if (p.minLength !== undefined && p.minLength > 0) out.push([`"${'a'.repeat(p.minLength - 1)}"`, new RegExp(`${name}: too short`)]);
      if (p.values) out.push(['"no_such_value_zz"', new RegExp(`${name}: no_such_value_zz not allowed`)]);
      if (p.format === 'ipv4') for (const bad of ['256.1.1.1', '1.2.3', 'a.b.c.d']) out.push([bad, new RegExp(`${name}: not an IPv4 address`)]);
      return out;
    }
  }
}

/** Probes for one list of parameters, after `AT<name>=` and the optional key. */
function writeProbes(head: string, key: string[], params: readonly ParamSpec[]): Probe[] {
  const valid = params.map(validText);
  // A counted payload holds exactly as many bytes as its length parameter's valid value.
  params.forEach((p, i) => {
    if (p.type === 'string' && p.counted) valid[i] = `"${'a'.repeat(Number(valid[params.findIndex((q) => q.name === p.counted)]))}"`;
  });
  const line = (args: string[]) => `${head}=${[...key, ...args].join(',')}`;
  // A last parameter that takes the rest of the line (StringParam.rest) takes any number of commas.
  const last = params[params.length - 1];
  const probes: Probe[] = last?.type === 'string' && last.rest ? [] : [{ line: line([...valid, '1']), reason: /too many parameters/ }];
  params.forEach((p, i) => {
    const missing = new RegExp(`missing parameter ${p.name.replace(/[^\w]/g, '.')}`);
    if (!p.optional) {
      probes.push({ line: line(valid.map((v, j) => (j === i ? '' : v))), reason: missing });
      if (i > 0 || key.length > 0) probes.push({ line: line(valid.slice(0, i)), reason: missing });
    }
    for (const [bad, reason] of badValues(p)) probes.push({ line: line(valid.map((v, j) => (j === i ? bad : v))), reason });
  });
  // Unbalanced quotes never parse.
  probes.push({ line: `${line(valid.slice(0, -1))}${valid.length > 1 || key.length > 0 ? ',' : ''}"abc`, reason: /^$/ });
  probes.push({ line: `${head}=${[...key, 'abc"'].join(',')}`, reason: /^$/ });
  return probes;
}

function probesFor<D>(spec: CommandSpec<D>): Probe[] {
  const head = `AT${spec.name}`;
  const basic = !spec.name.startsWith('+');
  const probes: Probe[] = [];
  if (!spec.exec) probes.push({ line: head, reason: /no execution form/ });
  if (!spec.read) probes.push({ line: `${head}?`, reason: /no read form/ });
  if (!spec.write) probes.push({ line: basic ? `${head}1` : `${head}=1`, reason: /no write form/ });
  else if ('params' in spec.write) probes.push(...writeProbes(head, [], spec.write.params));
  else {
    const k = spec.write.key;
    const quote = (s: string) => (k.quoted ? `"${s}"` : s);
    probes.push({ line: `${head}=`, reason: new RegExp(`missing ${k.name}`) });
    probes.push({ line: `${head}=${quote('no_such_key_zz')}`, reason: /unknown .* no_such_key_zz/ });
    for (const [name, form] of Object.entries(spec.write.variants)) probes.push(...writeProbes(head, [quote(name)], form.params));
  }
  return probes;
}

test('the probe generator covers string, hex and keyed parameters (checked against the registry itself)', async () => {
  const never = () => 'OK'; // a probe that reaches a handler is not a wrong input
  const ssid = { name: 'ssid', type: 'string', quoted: true, minLength: 2, maxLength: 8 } as const;
  const mode = { name: 'mode', type: 'string', quoted: false, values: ['station', 'ap'] } as const;
  const uuid = { name: 'uuid', type: 'hex', min: 1, max: 0xffff } as const;
  const n = { name: 'n', type: 'int', min: 1, max: 10, optional: true } as const;
  const size = { name: 'size', type: 'int', min: 1, max: 1460 } as const;
  const key = { name: 'setting', type: 'string', quoted: true } as const;
  const spec = (name: string, write: CommandSpec<null>['write']): CommandSpec<null> => ({ name, section: '-', summary: '-', write });
  const { form, keyed } = declare<null>();
  const specs = [
    spec('+S', form([ssid, mode], never)),
    spec('+H', form([uuid, n], never)),
    spec('+K', keyed(key, { size: form([size], never) })),
  ];
  const registry = new Registry();
  registry.add(specs, null);
  const ctx = {} as ExecContext;
  let count = 0;
  for (const spec of specs) {
    for (const probe of probesFor(spec)) {
      const parsed = parseLine(probe.line);
      if (!parsed.ok || parsed.commands[0].malformed) continue;
      const rejects: string[] = [];
      assert.equal(await registry.execute(parsed.commands[0], ctx, (r) => rejects.push(r.reason)), 'ERROR', probe.line);
      assert.match(rejects.join(), probe.reason, probe.line);
      count++;
    }
  }
  const lines = specs.flatMap((s) => probesFor(s).map((p) => p.line));
  for (const line of [
    'AT+S="aaaaaaaaa",station', 'AT+S="a",station', 'AT+S="aa","no_such_value_zz"', 'AT+S="aa"',
    'AT+H=0x0,1', 'AT+H=0x10000,1', 'AT+H=zz,1',
    'AT+K=', 'AT+K="no_such_key_zz"', 'AT+K="size",1461', 'AT+K="size"',
  ]) {
    assert.ok(lines.includes(line), `generated ${line}`);
  }
  assert.ok(count >= 25, `${count} probes`);
});

test('registry-generated wrong forms, arities, types and ranges: ERROR, then AT works', async (t) => {
  const m = await start();
  const rejects: string[] = [];
  m.module.on('reject', (r) => rejects.push(r.reason));
  const specs = m.module.registry.all();
  assert.ok(specs.length >= 9, `${specs.length} commands declared`);
  let count = 0;
  for (const spec of specs) {
    await t.test(spec.name, async () => {
      for (const probe of probesFor(spec)) {
        rejects.length = 0;
        const answer = await m.host.command(probe.line);
        assert.deepEqual(answer, { lines: [], final: 'ERROR' }, probe.line);
        // A line that parses must be turned away by the registry, for the reason the probe aims at.
        const parsed = parseLine(probe.line);
        if (parsed.ok && !parsed.commands[0].malformed) assert.match(rejects.join(' | '), probe.reason, probe.line);
        // (one whose counted payload never closed is answered by the engine alone)
        else if (parsed.ok) assert.ok(rejects.every((r) => r === 'bad arguments'), `${probe.line} does not split: ${rejects}`);
        else assert.deepEqual(rejects, [], `${probe.line} is a syntax error`);
        await assertAlive(m, probe.line);
        count++;
      }
    });
  }
  assert.ok(count >= 40, `${count} probes`);
  m.close();
});

// Wrong power state.

test('input while the module is booting is dropped; after ready AT works', async () => {
  const m = createModule({ bootMs: 150, echo: false });
  const host = new AtHost(m.stream);
  const accepted: boolean[] = [];
  m.module.on('input', (_bytes, ok) => accepted.push(ok));
  assert.equal(m.module.state, 'booting');
  host.write('AT+QECHO=1\rAT\r\x00\xff');
  await host.expect('\r\nready\r\n');
  assert.equal(host.received, '\r\nready\r\n', 'nothing answered the input sent while booting');
  assert.deepEqual(accepted, [false]);
  assert.deepEqual(await host.command('AT'), { lines: [], final: 'OK' }, 'AT+QECHO=1 did not run: no echo');
  m.close();
});

test('input while the module is off is dropped; after power-on and ready AT works', async () => {
  const m = await start({ powerOnAttach: false });
  assert.equal(m.module.state, 'off');
  m.host.write('AT\rAT+QVERSION\r');
  assert.equal(await m.host.collect(50), '');
  m.module.powerOn();
  assert.equal(await m.host.expect('\r\nready\r\n'), '\r\nready\r\n');
  await assertAlive(m, 'power-on');
  m.close();
});

test('input in flight when AT+QRST restarts is lost; ready, then AT works', async () => {
  const m = await start();
  m.host.write('AT+QRST\rAT+QVERSION\r');
  assert.equal(await m.host.expect('\r\nready\r\n'), '\r\nOK\r\n\r\nready\r\n');
  await assertAlive(m, 'AT+QRST');
  m.close();
});

test('after AT+QDEEPSLEEP input and URCs are ignored; wake() boots to ready and AT works', async () => {
  const m = await start();
  assert.deepEqual(await m.host.command('AT+QDEEPSLEEP'), { lines: [], final: 'OK' });
  assert.equal(m.module.state, 'sleeping');
  m.host.write('AT\rAT+QVERSION\r\x00\xff+++\r');
  m.module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  assert.equal(await m.host.collect(100), '', 'a sleeping module says nothing');
  assert.equal(m.module.wake(), true);
  assert.equal(await m.host.expect('\r\nready\r\n'), '\r\nready\r\n');
  await assertAlive(m, 'wake');
  m.close();
});

test('NUL and high bytes inside a line are answered ERROR, not a crash', async () => {
  const m = await start();
  const lines = [
    'AT+QVER\x00SION', 'AT\x00', '\x00AT', 'AT+QECHO=\x001', 'AT+QECHO=1\x00', 'AT+QECHO="\x00"', 'AT+QVERSION\xff',
    'AT+QECHO=\xff', '\xffAT', 'AT\xc3\xa9', 'AT+Q\x80\x81', 'AT+QECHO=1;\x00', 'AT+QWLMAC;+QVER\xffSION',
  ];
  for (const line of lines) {
    m.host.write(Buffer.from(line + '\r', 'latin1'));
    const text = await m.host.expect(ERROR);
    assert.ok(text.endsWith(ERROR) && !text.includes('\r\nOK\r\n'), `${JSON.stringify(line)} got ${JSON.stringify(text)}`);
    await assertAlive(m, JSON.stringify(line));
  }
  m.close();
});
