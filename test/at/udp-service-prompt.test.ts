// The prompt form of AT+QISEND on a "UDP SERVICE" (FIDELITY.md "Data mode"): it sends to the peer
// that last sent a datagram to the service; with none yet, ERROR before any prompt (556).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { test } from 'node:test';
import { ERROR, OK, PROMPT, T, tcpModule } from './rig.ts';
import { tcpip } from '../../src/tcpip/feature.ts';

async function udpPeer() {
  const socket: Socket = createSocket('udp4');
  const got: Buffer[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (msg) => {
    got.push(msg);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    socket,
    port: socket.address().port,
    got,
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

test('TCP transport: UDP SERVICE prompt form answers the last sender; ERROR (556) before any', async () => {
  const a = await udpPeer();
  const b = await udpPeer();
  const m = await tcpModule();
  try {
    assert.equal((await m.at('AT+QIOPEN=1,"UDP SERVICE","127.0.0.1",0,2020,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 1,0\r\n', T);
    const service = m.module.service(tcpip).net.info(1)!.hostEndpoint!;

    m.host.write('AT+QISEND=1,5\r\n');
    assert.equal(await m.host.expect(ERROR, T), ERROR, 'no peer yet: no prompt');
    assert.deepEqual(await m.at('AT+QIGETERROR'), { lines: ['+QIGETERROR: 556,Operation not allowed'], final: 'OK' });

    a.socket.send('from a', service.port, service.address);
    await m.host.expect('\r\n+QIURC: "recv",1\r\n', T);
    m.host.write('AT+QISEND=1,5\r\n');
    await m.host.expect(PROMPT, T);
    const gotA = a.next();
    m.host.write('hello');
    assert.equal(await m.host.expect('\r\nSEND OK\r\n', T), '\r\nSEND OK\r\n');
    await gotA;
    assert.deepEqual(a.got.map(String), ['hello']);

    b.socket.send('from b', service.port, service.address);
    await new Promise((r) => setTimeout(r, 50));
    m.host.write('AT+QISEND=1,3\r\n');
    await m.host.expect(PROMPT, T);
    const gotB = b.next();
    m.host.write('hi!AT\r\n');
    await m.host.expect('\r\nSEND OK\r\n', T);
    assert.equal(await m.host.expect(OK, T), OK, 'the bytes after the data are the next command');
    await gotB;
    assert.deepEqual(b.got.map(String), ['hi!']);
    assert.deepEqual(a.got.map(String), ['hello']);
    // The prompt form with an explicit destination sends there.
    m.host.write(`AT+QISEND=1,2,,"127.0.0.1",${a.port}\r\n`);
    await m.host.expect(PROMPT, T);
    const again = a.next();
    m.host.write('ok');
    await m.host.expect('\r\nSEND OK\r\n', T);
    await again;
    assert.deepEqual(a.got.map(String), ['hello', 'ok']);
    // The inline form still needs its destination.
    assert.equal((await m.at('AT+QISEND=1,2,"xy"')).final, 'ERROR');
  } finally {
    await m.close();
    await a.close();
    await b.close();
  }
});
