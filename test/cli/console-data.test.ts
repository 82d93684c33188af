/**
 * `fc41d console` with data: the prompt form of AT+QISEND, direct-push data, --trace and
 * --echo, on a pipe driven line by line; on a terminal (a pty), what is typed is shown; a
 * reader that goes away does not crash it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promptedLength } from '../../src/cli/console.ts';
import { BIN, WAIT_MS } from '../helpers/cli.ts';

const TEST = { timeout: 90_000 };
const dir = mkdtempSync(join(tmpdir(), 'fc41d-console-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A console on pipes, fed one line at a time by the test. */
class ConsoleProc {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private consumed = 0;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [BIN, 'console', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (b: Buffer) => (this.stdout += b.toString('latin1')));
    this.proc.stderr.on('data', (b: Buffer) => (this.stderr += b));
    this.exited = new Promise((resolve) => this.proc.once('close', (code) => resolve(code)));
  }

  line(text: string): void {
    this.proc.stdin.write(`${text}\n`);
  }

  /** Waits until the unread stdout contains `text`; returns the unread part up to its end. */
  async expect(text: string): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const at = this.stdout.indexOf(text, this.consumed);
      if (at >= 0) {
        const out = this.stdout.slice(this.consumed, at + text.length);
        this.consumed = at + text.length;
        return out;
      }
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(`no ${JSON.stringify(text)}; stdout: ${JSON.stringify(this.stdout.slice(this.consumed))} stderr: ${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function echoServer(): Promise<{ server: Server; port: number; got: () => string }> {
  let got = '';
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', (d) => {
      got += d.toString('latin1');
      s.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => (sockets.forEach((s) => s.destroy()), server.close()));
  return { server, port: (server.address() as AddressInfo).port, got: () => got };
}

test('console: prompt-form AT+QISEND sends the typed line as data; direct-push data is shown; --trace, --echo off', TEST, async () => {
  const echo = await echoServer();
  const trace = join(dir, 'console.jsonl');
  const c = new ConsoleProc(['--trace', trace, '--echo', 'off']);
  await c.expect('ready\n');
  c.line('AT+QSTAAPINFO=Office,correct-horse');
  await c.expect('+QSTASTAT:GOT_IP\n');
  c.line(`AT+QIOPEN=0,"TCP","127.0.0.1",${echo.port},0,1`);
  await c.expect('+QIOPEN: 0,0\n');

  c.line('AT+QISEND=0,5');
  await c.expect('> ');
  c.line('hello');
  assert.equal(await c.expect('SEND OK\n'), 'SEND OK\n');
  // The echo server sends it back: a direct-push URC with the data after it.
  assert.equal(await c.expect('hello\n'), '[URC] +QIURC: "recv",0,5\nhello\n');

  // Shorter than <len>: the next line goes on with the data; longer: cut at <len>, the rest not sent.
  c.line('AT+QISEND=0,8');
  await c.expect('> ');
  c.line('abc');
  await c.expect('(5 more bytes to send)\n');
  c.line('defghijk');
  assert.equal(await c.expect('SEND OK\n'), '(3 bytes beyond the length were not sent)\nSEND OK\n');
  await c.expect('abcdefgh\n');
  c.line('AT');
  assert.equal(await c.expect('OK\n'), 'OK\n', 'nothing typed was run as a command');
  c.line('!quit');
  assert.equal(await c.exited, 0, c.stderr);
  assert.equal(echo.got(), 'helloabcdefgh');

  const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.dir === 'in' && e.command === 'AT+QISEND=0,5'));
  assert.ok(events.some((e) => e.dir === 'in' && e.text === 'hello'));
  assert.ok(!events.some((e) => e.kind === 'echo'), '--echo off: the module echoes nothing');
});

test('console: the <len> of a prompting command is its last number', () => {
  assert.equal(promptedLength('AT+QISEND=0,5'), 5);
  assert.equal(promptedLength('at+qsslsend=1, 12'), 12);
  assert.equal(promptedLength('AT+QIOPEN=0,"TCP","x",1;AT+QISEND=0,7'), 7);
  assert.equal(promptedLength('AT+QISEND=0,5,"hello"'), null);
});

test('console: a reader that goes away ends it quietly, without a stack trace', TEST, async () => {
  const proc = spawn(process.execPath, [BIN, 'console'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => (stderr += b));
  await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve())); // ready
  proc.stdout.destroy();
  for (let i = 0; i < 20; i++) proc.stdin.write('AT+QVERSION\n');
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /Error|^\s+at /m);
});

test('console on a terminal: what is typed is shown', TEST, async () => {
  // python's pty module runs the console on a pseudo-terminal and types into it as a person would.
  const driver = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], 'console', '--echo', 'on'])
out = b''
def read_until(token, timeout=20):
    global out
    end = time.time() + timeout
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: break
read_until(b'ready')
for ch in b'AT+QWLMAC\\r':
    os.write(fd, bytes([ch])); time.sleep(0.01)
read_until(b'OK')
os.write(fd, b'\\x04')
read_until(b'\\x00', 3)
sys.stdout.buffer.write(out)
`;
  const run = spawnSync('python3', ['-c', driver, process.execPath, BIN], { encoding: 'latin1', timeout: 60_000 });
  const screen = run.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  assert.match(screen, /AT\+QWLMAC/, `typed text not shown: ${JSON.stringify(run.stdout)}`);
  assert.match(screen, /\+QWLMAC: ?c8:47:8c:42:00:48/);
  assert.ok(screen.indexOf('AT+QWLMAC') < screen.indexOf('OK'), JSON.stringify(screen));
});
