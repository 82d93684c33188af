// Faults in dial() as a host sees them through AT+QIOPEN over real sockets: dns-failure,
// refuse, blackhole and reset-connections, each with the module's `failure` record behind the
// result code, and a fault limited to one module left to the other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ModuleFailure } from '../../src/feature/feature.ts';
import { createModule } from '../../src/index.ts';
import { HANDSHAKE_TIMEOUT_MS } from '../../src/net/tcp-client.ts';
import { AtHost } from '../helpers/at-host.ts';
import { clockedModule, connectedModule, T, tcpEcho, type Echo } from '../tcpip/helpers.ts';

let echo: Echo;
before(async () => (echo = await tcpEcho()));
after(() => echo.close());

const hosts = () => ({ 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } });

function failures(m: { module: { on(event: 'failure', l: (f: ModuleFailure) => void): unknown } }): ModuleFailure[] {
  const seen: ModuleFailure[] = [];
  m.module.on('failure', (f) => seen.push(f));
  return seen;
}

test('dns-failure: the name fails as an unknown name does (551, ENOTFOUND); removed, it resolves again', async () => {
  const m = await connectedModule(hosts());
  const seen = failures(m);
  try {
    // A real unknown name first: what the fault must look like.
    assert.equal((await m.at('AT+QIOPEN=1,"TCP","no-such-host.invalid",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 1,551\r\n', T);
    const real = seen.shift()!;
    assert.equal(real.cause, 'ENOTFOUND');

    const fault = m.world.faults.add({ kind: 'dns-failure', host: 'ECHO.test' });
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","echo.test",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,551\r\n', T);
    assert.deepEqual((await m.at('AT+QIGETERROR')).lines, ['+QIGETERROR: 551,Unknown error']);
    const faulted = seen.shift()!;
    assert.deepEqual({ ...faulted, detail: faulted.detail.replaceAll('echo.test', 'NAME') }, { ...real, detail: real.detail.replaceAll('no-such-host.invalid', 'NAME') }, 'the same record as a real NXDOMAIN');
    assert.equal(m.world.faults.get(fault.id)?.hits, 1);

    m.world.faults.remove(fault.id);
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","echo.test",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
  } finally {
    m.close();
  }
});

test('refuse: +QIOPEN: <id>,551 with ECONNREFUSED behind it; the port limits it', async () => {
  const m = await connectedModule(hosts());
  const seen = failures(m);
  try {
    m.world.faults.add({ kind: 'refuse', host: 'echo.test', port: 7 });
    assert.equal((await m.at('AT+QIOPEN=2,"TCP","echo.test",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 2,551\r\n', T);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.feature, 'tcpip');
    assert.equal(seen[0]!.result, 551);
    assert.equal(seen[0]!.cause, 'ECONNREFUSED');
    assert.match(seen[0]!.detail, /ECONNREFUSED/);
    // The resolved address matches too; another port of the same host does not.
    m.world.faults.clear();
    m.world.faults.add({ kind: 'refuse', host: '127.0.0.1', port: 8 });
    assert.equal((await m.at('AT+QIOPEN=2,"TCP","echo.test",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 2,0\r\n', T);
  } finally {
    m.close();
  }
});

test('blackhole: the open hangs until the module\'s own 120 s handshake timeout, then 551 (ETIMEDOUT)', async () => {
  const m = await clockedModule(hosts());
  const seen = failures(m);
  try {
    m.world.faults.add({ kind: 'blackhole', host: 'echo.test' });
    m.host.send('AT+QIOPEN=3,"TCP","echo.test",7,0,0');
    await m.host.expect('\r\nOK\r\n', T);
    await new Promise((r) => setTimeout(r, 50));
    m.clock.advance(HANDSHAKE_TIMEOUT_MS - 1);
    assert.equal(await m.host.collect(50), '', 'still connecting just before the timeout');
    m.clock.advance(1);
    await m.host.expect('\r\n+QIOPEN: 3,551\r\n', T);
    assert.equal(seen[0]?.cause, 'ETIMEDOUT');
  } finally {
    m.close();
  }
});

test('reset-connections: an open socket to the host gets a real RST → +QIURC: "closed",<id>; new ones are not affected', async () => {
  const m = await connectedModule(hosts());
  try {
    const before = echo.sockets.length;
    assert.equal((await m.at('AT+QIOPEN=4,"TCP","echo.test",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 4,0\r\n', T);
    while (echo.sockets.length === before) await new Promise((r) => setTimeout(r, 5));
    const peer = echo.sockets.at(-1)!;
    const peerSaw = new Promise<string>((r) => peer.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')).once('close', () => r('close')));
    const fault = m.world.faults.add({ kind: 'reset-connections', host: 'echo.test', port: 7 });
    await m.host.expect('\r\n+QIURC: "closed",4\r\n', T);
    assert.equal(await peerSaw, 'ECONNRESET', 'the server saw a reset, not a FIN');
    assert.equal(m.world.faults.get(fault.id)?.hits, 1);
    assert.equal((await m.at('AT+QICLOSE=4')).final, 'OK');
    assert.equal((await m.at('AT+QIOPEN=4,"TCP","echo.test",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 4,0\r\n', T);
    assert.equal(await m.host.collect(100), '', 'the new connection stays up');
  } finally {
    m.close();
  }
});

test('a fault limited to one module leaves the other alone', async () => {
  const a = await connectedModule(hosts());
  const bModule = createModule({ bootMs: 5, echo: false, world: a.world, label: 'module 1', mac: '02:00:00:00:00:01' });
  const b = new AtHost(bModule.stream);
  try {
    await b.expect('\r\nready\r\n', T);
    b.send('AT+QSTAAPINFO=Office');
    await b.expect('+QSTASTAT:GOT_IP\r\n', T);
    a.world.faults.add({ kind: 'refuse', host: 'echo.test', module: 'module 1' });
    assert.equal((await a.at('AT+QIOPEN=0,"TCP","echo.test",7,0,0')).final, 'OK');
    await a.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    b.send('AT+QIOPEN=0,"TCP","echo.test",7,0,0');
    await b.expect('\r\n+QIOPEN: 0,551\r\n', T);
  } finally {
    bModule.close();
    a.close();
  }
});
