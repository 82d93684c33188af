/**
 * No failing service may take the process down or wedge the module (issue 8, item 8).
 *
 * Every declared command (module.registry.all()), with arguments generated from its declaration
 * (valid ones aimed at the failing services, and an invalid one), is driven while services fail:
 *   - the environment: the provisioning page's port taken, the flash file's folder gone (every
 *     save throws), hosts that refuse, a TLS server that hangs up, a name DNS does not know, an
 *     OTA server that is down;
 *   - bugs: the services' methods replaced in-process by ones that throw, or reject.
 * Each command must get a final result, `AT` must answer `OK` after it, and the process must
 * never see an unhandled rejection or an uncaught exception.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ParamSpec } from '../src/commands/params.ts';
import type { CommandSpec } from '../src/commands/registry.ts';
import type { Fc41dModule } from '../src/device/module.ts';
import { createModule, parseWorld, World } from '../src/index.ts';
import { AtHost } from './helpers/at-host.ts';
import { noProcessErrors } from './helpers/process-errors.ts';
import { wifi } from '../src/wifi/feature.ts';
import { tcpip } from '../src/tcpip/feature.ts';
import { ssl } from '../src/ssl/feature.ts';

const T = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'fc41d-failing-'));

// ---- servers that fail ----

let portTaken: Server;
let hangUp: Server;
let closedPort: number;
const sockets = new Set<Socket>();
before(async () => {
  portTaken = createServer();
  await new Promise<void>((resolve) => portTaken.listen(0, '127.0.0.1', resolve));
  // Accepts and hangs up at once: TLS handshakes fail, TCP clients see the peer close.
  hangUp = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.destroy();
  });
  await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
  // A port nobody listens on: connections are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([portTaken, hangUp].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});
const portOf = (s: Server) => (s.address() as AddressInfo).port;

function failingWorld(): World {
  // Every port of these names goes to the failing servers (the generated ports are 1 and 65535).
  const to = (port: number) => ({ address: '127.0.0.1', ports: { '1': port, '65535': port, '80': port, '443': port } });
  return new World(
    parseWorld({
      timeScale: 0.001,
      accessPoints: [{ ssid: 'Office', security: 'OPEN', rssi: -50 }],
      hosts: { 'refused.test': to(closedPort), 'hangup.test': to(portOf(hangUp)), 'ota.test': to(closedPort) },
    }),
  );
}

// ---- arguments generated from the declarations ----

/** Valid values for one parameter, aimed at the failing services where the name says what it is. */
function values(p: ParamSpec): string[] {
  const q = (v: string) => (p.type === 'string' && p.quoted ? `"${v}"` : v);
  switch (p.type) {
    case 'int':
      return (p.values ? [...p.values].slice(0, 4) : [p.min ?? 0, p.max ?? 0]).map(String);
    case 'hex':
      return [`0x${(p.min ?? 0).toString(16)}`, `0x${(p.max ?? 0).toString(16)}`];
    case 'string': {
      if (p.values) return p.values.slice(0, 5).map(q);
      if (p.format === 'ipv4') return ['192.168.1.1', '127.0.0.1'].map(q);
      const name = p.name.toLowerCase();
      if (name === 'host') return ['refused.test', 'hangup.test', 'nodns.invalid', '127.0.0.1'].map(q);
      if (name === 'url') return [`http://127.0.0.1:${closedPort}/fw.bin`, 'http://ota.test/fw.bin', 'https://hangup.test/fw.bin', 'http://nodns.invalid/'].map(q);
      if (name === 'ssid') return ['Office', 'Nowhere'].map(q);
      const min = Math.max(p.minLength ?? 1, 1);
      const short = 'a'.repeat(min);
      return p.maxLength !== undefined && p.maxLength !== min ? [q(short), q('b'.repeat(Math.min(p.maxLength, 300)))] : [q(short)];
    }
  }
}

/** The lines that drive one command: every form, each parameter's values in turn, and a wrong one. */
function linesFor(spec: CommandSpec<Fc41dModule>): string[] {
  const head = `AT${spec.name}`;
  const basic = !spec.name.startsWith('+');
  const lines: string[] = [];
  if (spec.exec) lines.push(head);
  if (spec.read) lines.push(`${head}?`);
  if (basic) {
    if (spec.write) lines.push(`${head}0`, `${head}1`, `${head}9`);
    return lines;
  }
  lines.push(`${head}=?`);
  const forms: { key: string[]; params: readonly ParamSpec[] }[] = [];
  if (spec.write && 'params' in spec.write) forms.push({ key: [], params: spec.write.params });
  else if (spec.write) {
    const k = spec.write.key;
    for (const [name, form] of Object.entries(spec.write.variants)) forms.push({ key: [k.quoted ? `"${name}"` : name], params: form.params });
  }
  for (const { key, params } of forms) {
    const base = params.map((p) => values(p)[0]!);
    const line = (args: string[]) => `${head}=${[...key, ...args].join(',')}`;
    lines.push(line(base));
    const required = params.filter((p) => !p.optional).length;
    if (required < params.length) lines.push(line(base.slice(0, required)));
    params.forEach((p, i) => {
      for (const v of values(p).slice(1)) lines.push(line(base.map((b, j) => (j === i ? v : b))));
    });
    lines.push(line(['"no_such_value_zz"', ...base.slice(1)]));
  }
  return [...new Set(lines)];
}

// ---- driving the module ----

const FINAL = /\r\n(OK|ERROR|SEND OK|SEND FAIL|CONNECT|NO CARRIER)\r\n|\r\n> $/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Rig {
  module: Fc41dModule;
  host: AtHost;
  close(): void;
}

/** Feeds data-mode bytes one at a time until the command answers (or `max` bytes went). */
async function feedUntilFinal(host: AtHost, max: number): Promise<string | null> {
  for (let i = 0; i < max; i++) {
    const done = /\r\n(OK|ERROR|SEND OK|SEND FAIL)\r\n/.exec(host.unread);
    if (done) return (await host.expect(done[0], T)).trim();
    host.write('x');
    await new Promise((resolve) => setImmediate(resolve));
  }
  return null;
}

/** Sends one line and sees it through to a final result; throws when none comes. */
async function drive(rig: Rig, line: string): Promise<string> {
  const { host, module } = rig;
  host.send(line);
  const text = await host.expect(FINAL, T).catch((error: Error) => {
    throw new Error(`${line}: no final result (${error.message})`);
  });
  const final = /(OK|ERROR|SEND OK|SEND FAIL|CONNECT|NO CARRIER|> )\s*$/.exec(text)?.[1] ?? '';
  if (final === '> ') return (await feedUntilFinal(host, 4096)) ?? assert.fail(`${line}: data mode never ended`);
  if (final === 'CONNECT') {
    // A certificate upload takes counted bytes; a transparent session is left with +++.
    if (/QSSLCERT/i.test(line)) return (await feedUntilFinal(host, 70_000)) ?? assert.fail(`${line}: upload never ended`);
    await sleep(60);
    if (!/NO CARRIER/.test(host.unread)) {
      host.write('+++');
      await sleep(60);
    }
    await host.expect(/\r\n(OK|NO CARRIER)\r\n/, T);
  }
  const ready = () => host.expect('\r\nready\r\n', T).catch((error: Error) => assert.fail(`${line}: no ready (${error.message})`));
  if (/^AT\+QRST$|^AT\+QWLANOTA=[^?]/i.test(line) && final === 'OK') await ready();
  if (/^AT\+QDEEPSLEEP$/i.test(line) && final === 'OK') {
    await sleep(5);
    module.wake();
    await ready();
  }
  return final;
}

async function assertAlive(rig: Rig, after: string): Promise<void> {
  const answer = await rig.host.command('AT', T).catch((error: Error) => assert.fail(`AT after ${after}: ${error.message}`));
  assert.equal(answer.final, 'OK', `AT after ${after}`);
}

/** Tries to get the station an address again (commands may have stopped it); failure is fine. */
async function rejoin(rig: Rig): Promise<void> {
  if (rig.module.service(wifi).hasIp()) return;
  await drive(rig, 'AT+QSTAAPINFO=Office');
  for (let i = 0; i < 20 && !rig.module.service(wifi).hasIp(); i++) await sleep(5);
}

/** A module in the failing world with the provisioning page's port taken; `breakFlash` makes every save throw. */
async function failingModule(name: string): Promise<Rig & { breakFlash(): void }> {
  const flashDir = join(dir, name);
  mkdirSync(flashDir);
  const m = createModule({ bootMs: 2, echo: false, guardMs: 20, payloadIdleMs: 100, world: failingWorld(), webcfgPort: portOf(portTaken), flashPath: join(flashDir, 'flash.json') });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n', T);
  const rig = {
    module: m.module,
    host,
    close: m.close,
    // The flash's folder becomes a file: every later save throws (ENOTDIR), even for root.
    breakFlash: () => {
      rmSync(flashDir, { recursive: true, force: true });
      writeFileSync(flashDir, 'not a folder');
    },
  };
  await rejoin(rig);
  return rig;
}

/** Runs every generated line of every command (or those `which` picks); returns how many ran. */
async function driveEverything(rig: Rig, between: () => Promise<void> = async () => {}, which = (_spec: CommandSpec<Fc41dModule>) => true): Promise<number> {
  const specs = rig.module.registry.all().filter(which);
  let count = 0;
  for (const spec of specs) {
    for (const line of linesFor(spec)) {
      await drive(rig, line);
      await assertAlive(rig, line);
      count++;
    }
    await between();
  }
  return count;
}

test('the generator covers every declared command with valid and invalid lines', () => {
  const m = createModule({ bootMs: 2, powerOnAttach: false });
  const lines = m.module.registry.all().flatMap(linesFor);
  for (const wanted of ['AT+QWEBCFG=1', 'AT+QSOFTAP=Office', 'AT+QRST', 'AT+QDEEPSLEEP', 'ATE1', 'AT+QECHO=0']) {
    assert.ok(lines.includes(wanted), wanted);
  }
  assert.ok(lines.some((l) => l.startsWith('AT+QIOPEN=') && l.includes('"hangup.test"')));
  assert.ok(lines.some((l) => l.startsWith('AT+QSSLOPEN=') && l.includes('"nodns.invalid"')));
  assert.ok(lines.some((l) => l.startsWith('AT+QWLANOTA=http://ota.test/')));
  assert.ok(lines.length >= 250, `${lines.length} lines`);
  m.close();
});

test('the environment fails (port taken, flash gone, refusing hosts, TLS hang-up, no DNS, OTA down): every command answers', async () => {
  await noProcessErrors(async () => {
    const rig = await failingModule('environment');
    const faults: unknown[] = [];
    rig.module.on('fault', (e) => faults.push(e));
    try {
      assert.ok(rig.module.registry.all().length >= 40);
      // The page cannot start; the soft-AP and the reset still work.
      assert.equal(await drive(rig, 'AT+QWEBCFG=1'), 'OK', 'the soft-AP is down: nothing to start yet');
      assert.equal(await drive(rig, 'AT+QSOFTAP=Setup'), 'OK');
      assert.equal(await drive(rig, 'AT+QRST'), 'OK');
      const count = await driveEverything(rig, () => rejoin(rig));
      assert.ok(count >= 250, `${count} lines`);
      // Then the flash fails too: the commands that save, and a reset.
      rig.breakFlash();
      const saving = await driveEverything(rig, () => rejoin(rig), (spec) => spec.saved === true || spec.name === '+QRST' || spec.name === 'E');
      assert.ok(saving >= 20, `${saving} lines with the flash failing`);
      assert.equal(await drive(rig, 'AT+QRST'), 'OK');
      await assertAlive(rig, 'the last AT+QRST');
    } finally {
      rig.close();
    }
  });
});

/** Methods that return a promise: only these can reject. */
const ASYNC = new Set(['open', 'openSsl', 'close', 'wait', 'updateWebConfig', 'applyWebConfig', 'startWeb', 'tryJoin', 'takeAddress']);

/**
 * Replaces the methods of `target` (own and inherited, private ones too, but not EventEmitter's)
 * by `broken`: every method, or (`onlyAsync`) those that return a promise.
 */
function breakMethods(target: object, broken: (name: string) => (...args: unknown[]) => unknown, skip: string[] = [], onlyAsync = false): void {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype && proto.constructor.name !== 'EventEmitter'; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (name === 'constructor' || typeof d?.value !== 'function' || skip.includes(name)) continue;
      if (!onlyAsync || ASYNC.has(name) || d.value.constructor.name === 'AsyncFunction') names.add(name);
    }
  }
  for (const name of names) Object.defineProperty(target, name, { value: broken(name), configurable: true, writable: true });
}

/** The services commands call, broken in the same way. */
function breakServices(module: Fc41dModule, broken: (name: string) => (...args: unknown[]) => unknown, onlyAsync: boolean): void {
  for (const service of [module.service(tcpip).net, module.service(wifi).station, module.service(wifi).softAp, module.service(wifi), module.service(ssl).contexts, module.service(ssl).certs]) {
    breakMethods(service, broken, [], onlyAsync);
  }
  breakMethods(module.service(wifi).world, broken, ['audible', 'find', 'accessPoints', 'scaled'], onlyAsync);
  if (!onlyAsync) module.flash.update = broken('update') as typeof module.flash.update;
}

for (const how of ['throw', 'reject'] as const) {
  test(`services whose every method ${how}s (bugs): every command answers, AT+QRST and deep sleep still work`, async () => {
    await noProcessErrors(async () => {
      const rig = await failingModule(`bugs-${how}`);
      try {
        rig.breakFlash();
        breakServices(rig.module, (name) =>
          how === 'throw'
            ? () => {
                throw new Error(`simulated bug in ${name}`);
              }
            : () => Promise.reject(new Error(`simulated bug in ${name}`)),
          how === 'reject',
        );
        const count = await driveEverything(rig);
        assert.ok(count >= 250, `${count} lines`);
      } finally {
        rig.close();
      }
    });
  });
}
