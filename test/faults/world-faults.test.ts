// Faults outside dial(): udp-loss on UDP sockets, dhcp-failure at the AP, uart-noise on the UART,
// each as a host sees it over AT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { connectedModule, T, udpEcho } from '../tcpip/helpers.ts';

test('udp-loss: rate 1 drops what the module sends and what it would receive; rate 0 drops nothing', async () => {
  const echo = await udpEcho();
  const heard: { port: number; address: string }[] = [];
  echo.socket.on('message', (_msg, from) => heard.push(from));
  const m = await connectedModule();
  try {
    const loss = m.world.faults.add({ kind: 'udp-loss', rate: 1, host: '127.0.0.1' });
    assert.equal((await m.at(`AT+QIOPEN=0,"UDP","127.0.0.1",${echo.port},0,1`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    assert.deepEqual(await m.at('AT+QISEND=0,4,"lost"'), { lines: ['+QISEND: 4'], final: 'OK' }, 'sent, as far as the module knows');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(heard.length, 0, 'the datagram never reached the server');
    m.world.faults.remove(loss.id);

    m.world.faults.add({ kind: 'udp-loss', rate: 0 });
    assert.deepEqual(await m.at('AT+QISEND=0,4,"kept"'), { lines: ['+QISEND: 4'], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "recv",0,4\r\nkept\r\n', T);
    assert.equal(heard.length, 1);
    m.world.faults.clear();

    // Received datagrams: the server sends to the module's socket; with the fault, none arrives.
    m.world.faults.add({ kind: 'udp-loss', rate: 1 });
    echo.socket.send('late', heard[0]!.port, heard[0]!.address);
    assert.equal(await m.host.collect(200), '', 'the incoming datagram was lost');
    assert.equal(m.world.faults.list()[0]!.hits, 1);
  } finally {
    m.close();
    await echo.close();
  }
});

test('dhcp-failure: the module associates but gets no address (no GOT_IP); without the fault it does', async () => {
  const world = new World(parseWorld({ timeScale: 0.01, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const make = async (label: string, mac: string) => {
    const m = createModule({ bootMs: 5, echo: false, world, label, mac });
    const host = new AtHost(m.stream);
    await host.expect('\r\nready\r\n', T);
    return { ...m, host };
  };
  const a = await make('module 0', '02:00:00:00:00:00');
  const b = await make('module 1', '02:00:00:00:00:01');
  try {
    const fault = world.faults.add({ kind: 'dhcp-failure', ssid: 'Office', module: 'module 0' });
    a.host.send('AT+QSTAAPINFO=Office');
    await a.host.expect('+QSTASTAT:WLAN_CONNECTED\r\n', T);
    assert.doesNotMatch(await a.host.collect(300), /GOT_IP/);
    a.host.send('AT+QIOPEN=0,"TCP","127.0.0.1",9,0,0');
    assert.match(await a.host.expect(/\r\n(ERROR|\+QIOPEN: 0,\d+)\r\n/, T), /ERROR|556/, 'no address, no socket');
    assert.ok(world.faults.get(fault.id)!.hits >= 1);
    b.host.send('AT+QSTAAPINFO=Office');
    await b.host.expect('+QSTASTAT:GOT_IP\r\n', T);
  } finally {
    a.close();
    b.close();
    world.dispose();
  }
});

test('uart-noise: rate 1 drop towards the module → it hears nothing; flip towards the host → each byte one bit off', async () => {
  const m = await connectedModule({}, { join: false });
  try {
    const drop = m.world.faults.add({ kind: 'uart-noise', rate: 1, mode: 'drop', direction: 'to-module' });
    m.host.send('AT');
    assert.equal(await m.host.collect(200), '', 'no answer: the command never arrived');
    assert.equal(m.world.faults.get(drop.id)!.hits, 3);
    m.world.faults.remove(drop.id);
    assert.deepEqual(await m.at('AT'), { lines: [], final: 'OK' });

    m.world.faults.add({ kind: 'uart-noise', rate: 1, mode: 'flip', direction: 'to-host', module: 'module 0' });
    const chunks: Buffer[] = [];
    m.stream.on('data', (d: Buffer) => chunks.push(d));
    m.host.send('AT');
    await m.host.collect(200); // (consumed here; the bytes are checked from `chunks`)
    const got = Buffer.concat(chunks);
    const said = Buffer.from('\r\nOK\r\n');
    assert.equal(got.length, said.length, 'nothing dropped');
    for (let i = 0; i < said.length; i++) {
      const diff = got[i]! ^ said[i]!;
      assert.ok(diff !== 0 && (diff & (diff - 1)) === 0, `byte ${i}: exactly one bit flipped (${said[i]} → ${got[i]})`);
    }
    m.world.faults.clear();
    // A fault limited to another module changes nothing here.
    m.world.faults.add({ kind: 'uart-noise', rate: 1, mode: 'drop', module: 'module 7' });
    assert.deepEqual(await m.at('AT'), { lines: [], final: 'OK' });
  } finally {
    m.close();
  }
});
