// The SSL commands (§2.4) and URCs (§3.4) as a host drives them, example 4.4 first, against
// real local TLS servers with certificates made by the test (test/ssl/certs.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { pki } from './certs.ts';
import { tlsServer } from './helpers.ts';

const T = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'fc41d-ssl-at-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function connected(flashPath?: string) {
  const world = new World(parseWorld({ timeScale: 0.01, hosts: { 'secure.test': '127.0.0.1' }, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const m = createModule({ bootMs: 5, echo: false, world, flashPath });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n', T);
  host.send('AT+QSTAAPINFO=Office');
  await host.expect('+QSTASTAT:GOT_IP\r\n', T);
  return { ...m, host, at: (line: string) => host.command(line, T) };
}

/** AT+QSSLCERT=<type>,2,<len>: CONNECT, then exactly the bytes, then OK or ERROR. */
async function uploadCert(m: Awaited<ReturnType<typeof connected>>, type: string, bytes: Buffer): Promise<string> {
  m.host.send(`AT+QSSLCERT="${type}",2,${bytes.length}`);
  await m.host.expect('\r\nCONNECT\r\n', T);
  m.host.write(bytes);
  return (await m.host.expect(/\r\n(OK|ERROR)\r\n/, T)).trim();
}

test('example 4.4: upload a CA, one-way verification, open, direct push, delete the CA, close', async () => {
  const server = await tlsServer();
  const m = await connected();
  try {
    assert.deepEqual(await m.at('AT+QSSLCFG="verify",1,1'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('AT+QSSLCFG="verify",1'), { lines: ['+QSSLCFG: "verify",1,1'], final: 'OK' });
    assert.equal(await uploadCert(m, 'CA', pki().ca.cert), 'OK');
    assert.deepEqual(await m.at('AT+QSSLCERT?'), { lines: ['+QSSLCERT: "CA",1', '+QSSLCERT: "User Cert",0', '+QSSLCERT: "User Key",0'], final: 'OK' });
    assert.deepEqual(await m.at(`AT+QSSLOPEN=1,1,"secure.test ",${server.port}`), { lines: [], final: 'OK' });
    await m.host.expect('\r\n+QSSLOPEN: 1,0\r\n', T);
    const state = await m.at('AT+QSSLSTATE');
    assert.match(state.lines[0], new RegExp(`^\\+QSSLSTATE: 1,"SSL CLIENT","127\\.0\\.0\\.1",${server.port},\\d+,2$`));
    assert.deepEqual(await m.at('AT+QISWTMD=1,1'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('AT+QSSLSEND=1,6,"123456"'), { lines: ['+QSSLSEND: 6'], final: 'OK' });
    await m.host.expect('\r\n+QSSLURC: "recv",1,6\r\n123456\r\n', T);
    assert.deepEqual(await m.at('AT+QSSLCERT="CA",0'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('AT+QSSLCLOSE=1,1'), { lines: [], final: 'OK' });
    await m.host.expect('\r\n+QSSLURC: "closed",1\r\n', T);
  } finally {
    m.close();
  }
});

test('buffer mode: +QSSLURC: "recv",<id> then AT+QSSLRECV', async () => {
  const server = await tlsServer();
  const m = await connected();
  try {
    assert.equal((await m.at(`AT+QSSLOPEN=0,2,"127.0.0.1",${server.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 2,0\r\n', T);
    assert.deepEqual(await m.at('AT+QSSLSEND=2,5,"hello"'), { lines: ['+QSSLSEND: 5'], final: 'OK' });
    await m.host.expect('\r\n+QSSLURC: "recv",2\r\n', T);
    m.host.send('AT+QSSLRECV=2,100');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QSSLRECV: 5\r\n\r\nhello\r\n\r\nOK\r\n');
    const peer = await server.connection();
    peer.end();
    await m.host.expect('\r\n+QSSLURC: "closed",2\r\n', T);
    assert.equal((await m.at('AT+QSSLCLOSE=2')).final, 'OK');
  } finally {
    m.close();
  }
});

test('a CA that did not sign the server fails the open with 551; the module stays healthy', async () => {
  const server = await tlsServer();
  const m = await connected();
  try {
    assert.equal((await m.at('AT+QSSLCFG="verify",0,1')).final, 'OK');
    assert.equal(await uploadCert(m, 'CA', pki().otherCa.cert), 'OK');
    assert.equal((await m.at(`AT+QSSLOPEN=0,1,"secure.test",${server.port}`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 1,551\r\n', T);
    assert.deepEqual((await m.at('AT+QIGETERROR')).lines, ['+QIGETERROR: 551,Unknown error']);
    assert.deepEqual(await m.at('AT+QSSLSTATE'), { lines: [], final: 'OK' }, 'the id is free again');
    assert.deepEqual(await m.at('AT'), { lines: [], final: 'OK' });
  } finally {
    m.close();
  }
});

test('two-way verification against a server that requires a client certificate', async () => {
  const { ca, client } = pki();
  const server = await tlsServer({ requestCert: true, rejectUnauthorized: true, ca: ca.cert });
  const m = await connected();
  try {
    assert.equal((await m.at('AT+QSSLCFG="verify",2,1')).final, 'OK');
    assert.equal(await uploadCert(m, 'CA', ca.cert), 'OK');
    assert.equal((await m.at(`AT+QSSLOPEN=2,3,"secure.test",${server.port}`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 3,551\r\n', T); // no client certificate to send
    assert.equal((await m.at('AT+QSSLCFG="verify",2,2')).final, 'OK');
    assert.equal(await uploadCert(m, 'User Cert', client.cert), 'OK');
    assert.equal(await uploadCert(m, 'User Key', client.key), 'OK');
    assert.equal((await m.at(`AT+QSSLOPEN=2,3,"secure.test",${server.port}`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 3,0\r\n', T);
    const peer = await server.connection();
    assert.equal(peer.authorized, true, 'the server accepted the client certificate');
  } finally {
    m.close();
  }
});

test('certificates survive a restart with the same flash; malformed PEM is refused; download gives the bytes', async () => {
  const flashPath = join(dir, 'certs.json');
  const a = await connected(flashPath);
  const ca = pki().ca.cert;
  assert.equal(await uploadCert(a, 'CA', ca), 'OK');
  assert.equal(await uploadCert(a, 'User Key', Buffer.from('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n')), 'ERROR');
  a.close();
  const b = await connected(flashPath);
  try {
    assert.deepEqual((await b.at('AT+QSSLCERT?')).lines, ['+QSSLCERT: "CA",1', '+QSSLCERT: "User Cert",0', '+QSSLCERT: "User Key",0']);
    b.host.send('AT+QSSLCERT="CA",1');
    const text = await b.host.expect('\r\nOK\r\n', T);
    assert.equal(text, `\r\n+QSSLCERT: "CA",${ca.length}\r\n\r\n${ca.toString('latin1')}\r\n\r\nOK\r\n`);
    assert.equal((await b.at('AT+QSSLCERT="User Cert",1')).final, 'ERROR', 'nothing to download');
    assert.equal((await b.at('AT+QSSLCFG="version",0,0')).final, 'OK');
    assert.equal((await b.at('AT+QSSLOPEN=0,0,"127.0.0.1",443')).final, 'OK');
    await b.host.expect('\r\n+QSSLOPEN: 0,557\r\n', T); // SSL 3.0 cannot be had
  } finally {
    b.close();
  }
});

test('transparent SSL: CONNECT, echo, +++, close', async () => {
  const server = await tlsServer();
  const m = await connected();
  try {
    m.host.send(`AT+QSSLOPEN=0,4,"127.0.0.1",${server.port},0,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write('secret bytes');
    await m.host.expect('secret bytes', T);
    await new Promise((r) => setTimeout(r, 1100));
    m.host.write('+++');
    await m.host.expect('\r\nOK\r\n', 5000);
    assert.equal((await m.at('AT+QSSLCLOSE=4')).final, 'OK');
    await m.host.expect('\r\n+QSSLURC: "closed",4\r\n', T);
  } finally {
    m.close();
  }
});
