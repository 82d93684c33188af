import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { Flash } from '../../src/device/flash.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-flash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * flash-writer.ts bundled into one plain script, once for the file: each of the writers the
 * kill test starts then runs on bare node, without the TypeScript loader's start-up (≈ 0.7 s each).
 */
const writerScript = join(dir, 'flash-writer.mjs');
before(async () => {
  await build({ entryPoints: [join(import.meta.dirname, 'flash-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writerScript, logLevel: 'warning' });
});

test('a missing flash file gives factory defaults and is created on first write', () => {
  const path = join(dir, 'new.json');
  const flash = Flash.open(path);
  // Factory echo is on (FIDELITY.md, firmware A09M02).
  assert.deepEqual(flash.read().system, { echo: true, urc: true, baud: 115200, firmware: 'FC41DAAR03A09M02.bin_202406260343' });
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('new')), []);
  flash.update((f) => void (f.system.echo = false));
  assert.equal(Flash.open(path).read().system.echo, false);
});

test('sections the module does not know are kept', () => {
  const path = join(dir, 'loose.json');
  Flash.open(path).update((f) => void (f.wifi = { ssid: 'Office' }));
  Flash.open(path).update((f) => void (f.system.urc = false));
  const data = Flash.open(path).read();
  assert.deepEqual(data.wifi, { ssid: 'Office' });
  assert.equal(data.system.urc, false);
});

test('a file that is not a flash image is refused with its path in the message', () => {
  const path = join(dir, 'garbage.json');
  writeFileSync(path, '{"system": {"echo": tru');
  assert.throws(() => Flash.open(path), /garbage\.json is not valid JSON/);
  writeFileSync(path, '{"system": {"echo": "yes"}}');
  assert.throws(() => Flash.open(path), /garbage\.json is not a flash image/);
});

test('killing the writer mid-write leaves the old or the new content, never a torn file', async () => {
  const path = join(dir, 'crash.json');
  const rounds = 12;
  let seen = 0;
  for (let round = 0; round < rounds; round++) {
    const child = spawn(process.execPath, [writerScript, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // Let it write for a varying while, then kill it without warning.
    await new Promise((r) => setTimeout(r, 20 + ((round * 37) % 90)));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const data = Flash.open(path).read();
    const n = Number(/^FW(\d+)$/.exec(data.system.firmware)?.[1]);
    assert.ok(n >= 1, `round ${round}: firmware ${data.system.firmware}`);
    assert.equal(data.pad, String(n).repeat(50_000), `round ${round}: padding torn for version ${n}`);
    seen += n;
  }
  assert.ok(seen > rounds, 'the writer completed several versions');
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('crash.json.tmp-')), [], 'no temp file of a killed writer is left');
});

test('a flash path that cannot be written is refused at open, naming it, rather than failing every save', () => {
  const missingDir = join(dir, 'no-such-dir', 'flash.json');
  assert.throws(() => Flash.open(missingDir), (e: Error) => e.message.includes(missingDir) && /cannot write/.test(e.message));
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  assert.throws(() => Flash.open(join(file, 'flash.json')), /cannot write/, 'a file where the folder should be');
  if (process.getuid?.() !== 0) {
    // Permissions only bind a non-root user (CI may run as one).
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o500 });
    assert.throws(() => Flash.open(join(locked, 'flash.json')), /cannot write/);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'the check leaves no file behind');
});

test('temp files of writers that died mid-write are removed at open; a live writer keeps its own', async () => {
  const path = join(dir, 'stale.json');
  Flash.open(path).update((f) => void (f.system.urc = false));
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  writeFileSync(`${path}.tmp-${dead.pid}`, '{"torn');
  writeFileSync(`${path}.tmp-${process.ppid}`, '{"a live writer'); // our parent runs the tests: alive
  writeFileSync(join(dir, 'other.json.tmp-1'), 'not this flash');
  assert.equal(Flash.open(path).read().system.urc, false);
  const left = readdirSync(dir).filter((f) => f.includes('.tmp-')).sort();
  assert.deepEqual(left, ['other.json.tmp-1', `stale.json.tmp-${process.ppid}`]);
  rmSync(`${path}.tmp-${process.ppid}`);
  rmSync(join(dir, 'other.json.tmp-1'));
});
