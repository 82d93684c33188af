// A module's "TCP LISTENER" really listens on the host (§2.3.2, 2.3.6, 3.3.3, 3.3.5).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { connectedModule, T } from './helpers.ts';
import { tcpip } from '../../src/tcpip/feature.ts';

function hostPortOf(m: Awaited<ReturnType<typeof connectedModule>>, id: number): number {
  const endpoint = m.module.service(tcpip).net.info(id)?.hostEndpoint;
  assert.ok(endpoint, 'a listener has a host endpoint');
  return endpoint.port;
}

test('a host connecting to a TCP LISTENER: "incoming" URC, then data both ways', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QIOPEN=1,"TCP LISTENER","127.0.0.1",0,0,0')).final, 'ERROR', 'a listener needs a local port');
    assert.equal((await m.at('AT+QIOPEN=1,"TCP LISTENER","127.0.0.1",0,2030,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 1,0\r\n', T);
    const peer = connect(hostPortOf(m, 1), '127.0.0.1');
    await new Promise<void>((resolve) => peer.once('connect', resolve));
    const urc = await m.host.expect(/\r\n\+QIURC: "incoming",(\d+),1,"127\.0\.0\.1",(\d+)\r\n/, T);
    const id = Number(/"incoming",(\d+)/.exec(urc)![1]);
    assert.equal(id, 0, 'the lowest free id');
    assert.match((await m.at(`AT+QISTATE=${id}`)).lines[0], new RegExp(`^\\+QISTATE: ${id},"TCP INCOMING","127\\.0\\.0\\.1",${peer.localPort},\\d+,2$`));
    const heard = new Promise<string>((resolve) => peer.once('data', (b) => resolve(b.toString())));
    assert.deepEqual(await m.at(`AT+QISEND=${id},5,"hello"`), { lines: ['+QISEND: 5'], final: 'OK' });
    assert.equal(await heard, 'hello');
    peer.write('world');
    await m.host.expect(`\r\n+QIURC: "recv",${id}\r\n`, T);
    m.host.send(`AT+QIRD=${id},100`);
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QIRD:5\r\n\r\nworld\r\n\r\nOK\r\n');
    peer.end();
    await m.host.expect(`\r\n+QIURC: "closed",${id}\r\n`, T);
    assert.equal((await m.at(`AT+QICLOSE=${id}`)).final, 'OK');
    assert.equal((await m.at('AT+QICLOSE=1')).final, 'OK');
    peer.destroy();
  } finally {
    m.close();
  }
});

test('manual accept: "accept" URC, then AT+QIACCEPT answers with the new id and the peer', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QICFG="accept/mode",1')).final, 'OK');
    assert.equal((await m.at('AT+QIOPEN=2,"TCP LISTENER","127.0.0.1",0,2031,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 2,0\r\n', T);
    const peer = connect(hostPortOf(m, 2), '127.0.0.1');
    peer.on('error', () => {});
    await new Promise<void>((resolve) => peer.once('connect', resolve));
    await m.host.expect('\r\n+QIURC: "accept",2\r\n', T);
    assert.deepEqual(await m.at('AT+QIACCEPT=2,1,5'), { lines: [`+QIACCEPT: 5,"127.0.0.1",${peer.localPort}`], final: 'OK' });
    assert.deepEqual(await m.at('AT+QIACCEPT=2,1'), { lines: [], final: 'ERROR' }, 'nothing waits any more');
    peer.destroy();
  } finally {
    m.close();
  }
});

test('losing the Wi-Fi link closes the sockets: +QIURC: "closed" for each', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QIOPEN=1,"TCP LISTENER","127.0.0.1",0,2032,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 1,0\r\n', T);
    const bssid = m.world.accessPoints()[0].bssid;
    m.world.updateAccessPoint(bssid, { up: false });
    await m.host.expect('\r\n+QIURC: "closed",1\r\n', T);
    assert.equal((await m.at('AT+QIOPEN=3,"TCP","127.0.0.1",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 3,556\r\n', T);
  } finally {
    m.close();
  }
});

test('with every id taken, the next incoming connection gives +QIURC: "incoming full" and is refused', async () => {
  const m = await connectedModule();
  const peers: import('node:net').Socket[] = [];
  try {
    assert.equal((await m.at('AT+QIOPEN=0,"TCP LISTENER","127.0.0.1",0,2033,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    const port = hostPortOf(m, 0);
    for (let i = 1; i <= 11; i++) {
      const peer = connect(port, '127.0.0.1');
      peer.on('error', () => {});
      peers.push(peer);
      await m.host.expect(new RegExp(`\\r\\n\\+QIURC: "incoming",${i},0,"127\\.0\\.0\\.1",\\d+\\r\\n`), T);
    }
    const extra = connect(port, '127.0.0.1');
    peers.push(extra);
    const refused = new Promise<void>((resolve) => {
      extra.on('error', () => resolve());
      extra.on('close', () => resolve());
    });
    await m.host.expect('\r\n+QIURC: "incoming full"\r\n', T);
    await refused;
    assert.equal((await m.at('AT+QISTATE')).lines.length, 12);
  } finally {
    for (const p of peers) p.destroy();
    m.close();
  }
});
