/**
 * `fc41d serve` as CI scripts use it: a port probe before the firmware connects, hosts
 * reported on stderr, --reset-on-connect, --echo, and an unusable --flash refused at start.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { AtHost } from '../helpers/at-host.ts';
import { Cli, cleanUp, cleanups, WAIT_MS, serveTcp } from '../helpers/cli.ts';

const TEST = { timeout: 90_000 };
const dir = mkdtempSync(join(tmpdir(), 'fc41d-serve-hosts-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(cleanUp);


async function open(port: number): Promise<{ socket: Socket; host: AtHost; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('error', () => {});
  cleanups.push(() => socket.destroy());
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, host: new AtHost(socket), closed };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('serve: a port probe (connect, close) does not eat ready; hosts are reported on stderr', TEST, async () => {
  const trace = join(dir, 'hosts.jsonl');
  const { cli, port } = await serveTcp('--trace', trace);
  const probe = await open(port);
  const probePeer = `127.0.0.1:${probe.socket.localPort}`;
  probe.socket.destroy();
  await probe.closed;
  await cli.waitFor(new RegExp(`^fc41d: module 0 host disconnected from ${escape(probePeer)}$`, 'm'), 'stderr');
  await new Promise((r) => setTimeout(r, 300)); // the boot the probe started is over: ready was said to nobody

  const real = await open(port);
  const realPeer = `127.0.0.1:${real.socket.localPort}`;
  assert.equal(await real.host.expect('\r\nready\r\n', WAIT_MS), '\r\nready\r\n');
  assert.equal((await real.host.command('AT+QECHO=0', WAIT_MS)).final, 'OK');
  assert.deepEqual(await real.host.command('AT', WAIT_MS), { lines: [], final: 'OK' });

  const second = await open(port);
  const secondPeer = `127.0.0.1:${second.socket.localPort}`;
  await second.closed;
  real.socket.end();
  await real.closed;
  await cli.waitFor(new RegExp(`^fc41d: module 0 host disconnected from ${escape(realPeer)}$`, 'm'), 'stderr');
  const lines = cli.stderr.trim().split('\n');
  assert.deepEqual(lines, [
    `fc41d: module 0 host connected from ${probePeer}`,
    `fc41d: module 0 host disconnected from ${probePeer}`,
    `fc41d: module 0 host connected from ${realPeer}`,
    `fc41d: module 0 host refused from ${secondPeer} (another host is connected)`,
    `fc41d: module 0 host disconnected from ${realPeer}`,
  ]);
  assert.equal((await cli.stop()).code, 0);
  const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const hosts = events.filter((e) => e.host).map((e) => `${e.host} ${e.peer}`);
  assert.deepEqual(hosts, [`connected ${probePeer}`, `disconnected ${probePeer}`, `connected ${realPeer}`, `refused ${secondPeer}`, `disconnected ${realPeer}`]);
});

test('serve --reset-on-connect: every host reads a fresh ready; without --tcp it is refused', TEST, async () => {
  const { port } = await serveTcp('--reset-on-connect');
  for (let round = 0; round < 3; round++) {
    const c = await open(port);
    assert.equal(await c.host.expect('\r\nready\r\n', WAIT_MS), '\r\nready\r\n', `host ${round}`);
    c.host.send('AT');
    await c.host.expect('\r\nOK\r\n', WAIT_MS);
    c.socket.end();
    await c.closed;
    await new Promise((r) => setTimeout(r, 50));
  }
  const ptyOnly = new Cli(['serve', '--pty', join(dir, 'tty'), '--reset-on-connect']);
  assert.equal((await ptyOnly.exited).code, 2);
  assert.match(ptyOnly.stderr, /--reset-on-connect.*--tcp/);
  assert.equal(ptyOnly.stderr.trim().split('\n').length, 1, ptyOnly.stderr);
});

test('serve --echo off / on: the module starts with that saved echo, also over an existing flash', TEST, async () => {
  const flash = join(dir, 'echo.json');
  const off = await serveTcp('--echo', 'off', '--flash', flash);
  const a = await open(off.port);
  await a.host.expect('\r\nready\r\n', WAIT_MS);
  a.host.send('AT');
  assert.equal(await a.host.expect('\r\nOK\r\n', WAIT_MS), '\r\nOK\r\n', 'no echo');
  a.host.send('AT+QRST');
  await a.host.expect('\r\nready\r\n', WAIT_MS);
  a.host.send('AT');
  assert.equal(await a.host.expect('\r\nOK\r\n', WAIT_MS), '\r\nOK\r\n', 'still no echo after a reset: it is saved');
  await off.cli.stop();
  assert.equal(JSON.parse(readFileSync(flash, 'utf8')).system.echo, false);

  const on = await serveTcp('--echo', 'on', '--flash', flash);
  const b = await open(on.port);
  await b.host.expect('\r\nready\r\n', WAIT_MS);
  b.host.send('AT');
  assert.equal(await b.host.expect('\r\nOK\r\n', WAIT_MS), 'AT\r\r\nOK\r\n', 'echo');
  await on.cli.stop();

  const bad = new Cli(['serve', '--tcp', '127.0.0.1:0', '--echo', 'maybe']);
  assert.equal((await bad.exited).code, 2);
  assert.match(bad.stderr, /on.*off/);
});

test('serve and console: an unwritable --flash exits 2 with one line naming it', TEST, async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const flash = join(file, 'flash.json'); // a file where the folder should be
  for (const args of [['serve', '--tcp', '127.0.0.1:0', '--flash', flash], ['console', '--flash', flash]]) {
    const cli = new Cli(args);
    const exited = await Promise.race([cli.exited, cli.waitFor(/listening|ready/).then(() => null, () => null)]);
    assert.ok(exited, `${args[0]} started with an unwritable flash`);
    assert.equal(exited.code, 2);
    assert.ok(cli.stderr.includes(flash), cli.stderr);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  }
});
