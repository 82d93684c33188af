import assert from 'node:assert/strict';
import { constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { after, afterEach, test } from 'node:test';
import { ReadStream } from 'node:tty';
import { AtHost } from '../helpers/at-host.ts';
import { Cli, cleanUp, cleanups, host, WAIT_MS, serveTcp } from '../helpers/cli.ts';

const TEST = { timeout: 90_000 };

const dir = mkdtempSync(join(tmpdir(), 'fc41d-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(cleanUp);


test('serve: ready, AT, version, MAC and ERROR over TCP; --trace records both ways; SIGTERM exits 0', TEST, async () => {
  const trace = join(dir, 'trace.jsonl');
  const { cli, port } = await serveTcp('--trace', trace);
  const h = await host(port);
  // A factory module echoes (FIDELITY.md); ATE0 turns it off as on the real one.
  h.send('AT');
  assert.equal(await h.expect('\r\nOK\r\n', WAIT_MS), 'AT\r\r\nOK\r\n');
  h.send('ATE0');
  assert.equal(await h.expect('\r\nOK\r\n', WAIT_MS), 'ATE0\r\r\nOK\r\n');
  assert.deepEqual(await h.command('AT', WAIT_MS), { lines: [], final: 'OK' });
  assert.deepEqual(await h.command('AT+QVERSION', WAIT_MS), { lines: ['+QVERSION:FC41DAAR03A09M02.bin_202406260343'], final: 'OK' });
  assert.deepEqual(await h.command('AT+QWLMAC', WAIT_MS), { lines: ['+QWLMAC:c8:47:8c:42:00:48'], final: 'OK' });
  assert.deepEqual(await h.command('AT+NOSUCHTHING', WAIT_MS), { lines: [], final: 'ERROR' });

  assert.deepEqual(await cli.stop('SIGTERM'), { code: 0, signal: null });
  const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const e of events) {
    assert.equal(e.module, 'module 0');
    assert.equal(typeof e.t, 'number');
  }
  const sent = events.filter((e) => e.dir === 'in' && 'text' in e).map((e) => e.text).join('');
  assert.ok(sent.includes('AT+QVERSION\r'), sent);
  assert.ok(events.some((e) => e.dir === 'in' && e.command === 'AT+QVERSION'));
  assert.ok(events.some((e) => e.dir === 'out' && e.kind === 'boot' && e.text === '\r\nready\r\n'));
  assert.ok(events.some((e) => e.dir === 'out' && e.kind === 'response' && e.line === '+QVERSION:FC41DAAR03A09M02.bin_202406260343'));
  assert.ok(events.some((e) => e.dir === 'out' && e.kind === 'final' && e.line === 'ERROR'));
  assert.ok(events.some((e) => e.dir === 'info' && /NOSUCHTHING/.test(e.reject) && typeof e.reason === 'string'));
});

test('serve: AT+QECHO=0 and AT+QECHO=1 survive AT+QRST and a restart with the same --flash', TEST, async () => {
  const flash = join(dir, 'flash.json');
  const first = await serveTcp('--flash', flash);
  const a = await host(first.port);
  a.send('AT+QECHO=0');
  assert.equal(await a.expect('\r\nOK\r\n', WAIT_MS), 'AT+QECHO=0\r\r\nOK\r\n', 'factory echo is on');
  a.send('AT+QRST');
  assert.equal(await a.expect('\r\nOK\r\n', WAIT_MS), '\r\nOK\r\n');
  await a.expect('\r\nready\r\n', WAIT_MS);
  a.send('AT');
  assert.equal(await a.expect('\r\nOK\r\n', WAIT_MS), '\r\nOK\r\n', 'echo stays off after AT+QRST');
  assert.equal((await first.cli.stop()).code, 0);

  const second = await serveTcp('--flash', flash);
  const b = await host(second.port);
  b.send('AT');
  assert.equal(await b.expect('\r\nOK\r\n', WAIT_MS), '\r\nOK\r\n', 'echo stays off after a restart');
  assert.equal((await b.command('AT+QECHO=1', WAIT_MS)).final, 'OK');
  b.send('AT+QRST');
  assert.equal(await b.expect('\r\nOK\r\n', WAIT_MS), 'AT+QRST\r\r\nOK\r\n');
  await b.expect('\r\nready\r\n', WAIT_MS);
  b.send('AT');
  assert.equal(await b.expect('\r\nOK\r\n', WAIT_MS), 'AT\r\r\nOK\r\n', 'echo: the line comes back before the result');
  assert.equal((await second.cli.stop()).code, 0);
});

test('serve: SIGUSR1 wakes the module from AT+QDEEPSLEEP (§2.1.10)', TEST, async () => {
  const { cli, port } = await serveTcp();
  const h = await host(port);
  assert.equal((await h.command('AT+QDEEPSLEEP', WAIT_MS)).final, 'OK');
  cli.proc.kill('SIGUSR1');
  await h.expect('\r\nready\r\n', WAIT_MS);
  await cli.waitFor(/^fc41d: module 0 woken$/m);
  assert.equal((await h.command('AT', WAIT_MS)).final, 'OK');
});

test('serve --world prints the file; a bad world file exits 2 naming it', TEST, async () => {
  const world = join(dir, 'world.json');
  writeFileSync(world, '{"accessPoints": []}');
  const { cli } = await serveTcp('--world', world);
  await cli.waitFor(new RegExp(`^fc41d: world ${world.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  await cli.stop();

  const bad = join(dir, 'bad-world.json');
  writeFileSync(bad, '{not json');
  const failing = new Cli(['serve', '--tcp', '127.0.0.1:0', '--world', bad]);
  assert.equal((await failing.exited).code, 2);
  assert.ok(failing.stderr.includes(bad), failing.stderr);
  assert.doesNotMatch(failing.stderr, /^\s+at /m, 'no stack trace');
});

test('serve --pty with --tcp: the device path is printed and answers AT; both hosts share the UART', TEST, async () => {
  const path = join(dir, 'ttyFC41D');
  const cli = new Cli(['serve', '--pty', path, '--tcp', '127.0.0.1:0', '--echo', 'off']);
  const m = await cli.waitFor(/^fc41d: module 0 pty (\S+)$/m);
  assert.equal(m[1], path);
  const port = Number((await cli.waitFor(/^fc41d: module 0 listening on tcp 127\.0\.0\.1:(\d+)$/m))[1]);

  // Opened as a host would: raw (the bridge set that up), never our controlling tty.
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const reader = new ReadStream(fd);
  reader.on('error', () => {}); // EIO once the bridge is gone
  cleanups.push(() => reader.destroy()); // closes fd
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      writeSync(fd, chunk);
      callback();
    },
  });
  reader.on('data', (b: Buffer) => wire.push(b));
  const h = new AtHost(wire);
  await h.expect('\r\nready\r\n', WAIT_MS); // said at start-up, queued in the pty until read
  assert.deepEqual(await h.command('AT', WAIT_MS), { lines: [], final: 'OK' });

  // A TCP host on the same module: each transport is a wire into the one UART.
  const socket = connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  const tcpHost = new AtHost(socket);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  assert.deepEqual(await tcpHost.command('AT+QWLMAC', WAIT_MS), { lines: ['+QWLMAC:c8:47:8c:42:00:48'], final: 'OK' });
  await h.expect('\r\n+QWLMAC:c8:47:8c:42:00:48\r\n\r\nOK\r\n', WAIT_MS); // the pty host hears it too
  assert.deepEqual(await cli.stop(), { code: 0, signal: null });
});

test('serve: a malformed --tcp exits 2 with a one-line message', TEST, async () => {
  const cli = new Cli(['serve', '--tcp', 'localhost']);
  assert.equal((await cli.exited).code, 2);
  assert.match(cli.stderr, /HOST:PORT/);
  assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
});

test('serve: a port in use exits 2 with a one-line message', TEST, async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
  const { port } = taken.address() as AddressInfo;
  const cli = new Cli(['serve', '--tcp', `127.0.0.1:${port}`]);
  assert.equal((await cli.exited).code, 2);
  assert.match(cli.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*in use`));
  assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
});
