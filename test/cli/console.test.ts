import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { OutputInfo } from '../../src/at/engine.ts';
import { formatOutput } from '../../src/cli/console-format.ts';

const BIN = fileURLToPath(new URL('../../bin/fc41d.js', import.meta.url));
const TEST = { timeout: 60_000 };
const dir = mkdtempSync(join(tmpdir(), 'fc41d-console-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fc41d console` with `input` on a pipe; resolves when it exits by itself. */
function runConsole(input: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, 'console', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b));
  proc.stderr.on('data', (b: Buffer) => (stderr += b));
  proc.stdin.end(input);
  const killer = setTimeout(() => proc.kill('SIGKILL'), 45_000);
  return new Promise((resolve) =>
    proc.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

test('console: piped commands are answered in order, and it exits after EOF', TEST, async () => {
  const r = await runConsole('AT\nAT+QVERSION\nAT+NOSUCHTHING\nAT+QWLMAC\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, ['ready', 'OK', '+QVERSION:FC41DAAR03A09M02.bin_202406260343', 'OK', 'ERROR', '+QWLMAC:c8:47:8c:42:00:48', 'OK', ''].join('\n'));
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour on a pipe');
});

test('console: !wake wakes the module from deep sleep, a restart shows ready, !quit leaves', TEST, async () => {
  const flash = join(dir, 'flash.json');
  const r = await runConsole('AT+QDEEPSLEEP\nAT\n!wake\nAT+QRST\nAT\n!quit\nAT+QVERSION\n', '--flash', flash);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    ['ready', 'OK', '(module 0 is in deep sleep; !wake wakes it)', '(module 0 woken)', 'ready', 'OK', 'ready', 'OK', ''].join('\n'),
  );
});

test('console format: URCs are set apart, coloured only on a terminal; echo is not repeated', () => {
  const urc = Buffer.from('\r\n+QIURC: "recv",0,5\r\n');
  const info: OutputInfo = { kind: 'urc', line: '+QIURC: "recv",0,5' };
  assert.equal(formatOutput(urc, info, false), '[URC] +QIURC: "recv",0,5\n');
  assert.equal(formatOutput(urc, info, true), '\x1b[33m[URC] +QIURC: "recv",0,5\x1b[0m\n');
  assert.equal(formatOutput(Buffer.from('\r\nready\r\n'), { kind: 'boot', line: 'ready' }, false), 'ready\n');
  assert.equal(formatOutput(Buffer.from('\r\nOK\r\n'), { kind: 'final', line: 'OK' }, true), 'OK\n');
  assert.equal(formatOutput(Buffer.from('A'), { kind: 'echo' }, false), '');
  assert.equal(formatOutput(Buffer.from('\r\n> '), { kind: 'prompt', line: '>' }, false), '> ');
  assert.equal(formatOutput(Buffer.from([0x00, 0xff]), { kind: 'data' }, false), '\x00\xff');
});
