/**
 * Running the real `fc41d` command in tests: a spawned process with what it printed, and a
 * TCP host on a module it serves. Test files call `cleanUp` after each test
 * (`afterEach(cleanUp)`): it stops the processes and closes the sockets they left open.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtHost } from './at-host.ts';

export const BIN = fileURLToPath(new URL('../../bin/fc41d.js', import.meta.url));
/** Generous: starting node + tsx on a loaded 2-core machine can take seconds. */
export const WAIT_MS = 20_000;

/** What `cleanUp` undoes, last first. */
export const cleanups: (() => unknown)[] = [];

export async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

/** A running `fc41d` process, with what it printed. */
export class Cli {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const changed = () => this.waiters.splice(0).forEach((w) => w());
    this.proc.stdout!.on('data', (b: Buffer) => ((this.stdout += b), changed()));
    this.proc.stderr!.on('data', (b: Buffer) => ((this.stderr += b), changed()));
    this.exited = new Promise((resolve) => this.proc.once('close', (code, signal) => (changed(), resolve({ code, signal }))));
    cleanups.push(() => this.proc.exitCode === null && this.proc.signalCode === null && this.stop());
  }

  /** Waits until stdout (or stderr) matches. */
  async waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpExecArray> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const m = pattern.exec(this[stream]);
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0 || this.proc.exitCode !== null)
        throw new Error(`no ${pattern} on ${stream}; stdout: ${JSON.stringify(this.stdout)} stderr: ${JSON.stringify(this.stderr)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    this.proc.kill(signal);
    return this.exited;
  }
}

/** Runs `fc41d test ARGS…` to its end: the exit code and what it printed. */
export async function runTestCommand(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = new Cli(['test', ...args]);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}

/** A temporary folder removed after the test. */
export function tempDir(prefix = 'fc41d-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts `fc41d serve` on an ephemeral TCP port; returns it with the port module 0 listens on. */
export async function serveTcp(...args: string[]): Promise<{ cli: Cli; port: number }> {
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', ...args]);
  const m = await cli.waitFor(/^fc41d: module 0 listening on tcp 127\.0\.0\.1:(\d+)$/m);
  return { cli, port: Number(m[1]) };
}

/** Connects a host and waits for the module's `ready`. */
export async function host(port: number): Promise<AtHost> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  cleanups.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const h = new AtHost(socket);
  await h.expect('\r\nready\r\n', WAIT_MS);
  return h;
}

/** A host on a fresh `fc41d serve` (echo off; no world file: the default world), joined to its Office. */
export async function joinedServeHost(...args: string[]): Promise<{ h: AtHost; cli: Cli }> {
  const { cli, port } = await serveTcp('--echo', 'off', ...args);
  const h = await host(port);
  assert.deepEqual(await h.command('AT+QSTAAPINFO=Office,correct-horse', WAIT_MS), { lines: [], final: 'OK' });
  await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  return { h, cli };
}

/** `fc41d console` with its stdin open (EOF would end it): stderr waited on, stdout kept. */
export function spawnConsole(...args: string[]) {
  const proc = spawn(process.execPath, [BIN, 'console', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b));
  proc.stderr.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const m = pattern.exec(stderr);
      if (m) return m;
      if (Date.now() > deadline || proc.exitCode !== null) assert.fail(`no ${pattern} on stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { proc, exited, waitFor, stdout: () => stdout };
}
