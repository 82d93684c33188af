// SSL clients (AT+QSSLOPEN, §2.4.3) over real loopback TLS servers: verify levels 0/1/2 and
// their failures (unknown CA, host name mismatch, expiry, a client certificate the server
// demands), SNI, protocol versions and cipher suites as the server sees them, the negotiation
// timeout, the checks shared with TCP opens, and data/close/link loss through TcpLink.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { SocketState } from '../../src/net/types.ts';
import { Result } from '../../src/results/index.ts';
import { tlsOptions } from '../../src/ssl/tls-options.ts';
import { mustOpen, next, openedLog, readAll, record, sleep, tcp, tcpEcho, tcpServer, until } from '../net/helpers.ts';
import { pki } from './certs.ts';
import { legacyTlsServer, openSsl, sslRig, tlsServer, upload, why } from './helpers.ts';

describe('SSL client: verify levels', () => {
  test('verify 0: no CA needed, any certificate is taken; SSL CLIENT, Connected, echo, counters, close', async () => {
    const r = sslRig();
    const peer = await tlsServer({ pair: pki().otherServer });
    const opened = openedLog(r.svc);
    const pending = openSsl(r, { ctx: 2, id: 4, port: peer.port, config: { verify: 0 } });
    assert.equal(r.svc.info(4)?.state, SocketState.Opening, 'the id is held while connecting');
    assert.equal(await pending, Result.OK, why(r.svc));
    assert.deepEqual(opened, [[4, 0]]);
    const info = r.svc.info(4)!;
    assert.equal(info.type, 'SSL CLIENT');
    assert.equal(info.sslCtx, 2);
    assert.equal(info.state, SocketState.Connected);
    assert.deepEqual(info.remote, { address: '127.0.0.1', port: peer.port });
    const server = await peer.connection();
    assert.equal(info.localPort, server.remotePort, 'the local port the TCP connection really got');

    const data = next(r.svc, 'data', (id) => id === 4);
    assert.deepEqual(r.svc.send(4, Buffer.from('123456')), { ok: true, sent: 6 });
    await data;
    assert.equal((await readAll(r.svc, 4, 6)).toString(), '123456');
    await until(() => r.svc.sendCounters(4)!.acked === 6, 'the write to complete');
    assert.deepEqual(r.svc.sendCounters(4), { total: 6, acked: 6, unacked: 0 });
    assert.deepEqual(r.svc.recvCounters(4), { total: 6, read: 6, unread: 0 });

    const serverClosed = once(server, 'close');
    assert.equal(await r.svc.close(4, 1000), Result.OK);
    await serverClosed;
    assert.equal(r.svc.info(4), undefined, 'the id is free');
  });

  test('verify 1: the server certificate chains to the uploaded CA and names the host (IP literal)', async () => {
    const r = sslRig();
    upload(r, { ca: pki().ca.cert });
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { port: peer.port, config: { verify: 1 } }), Result.OK, why(r.svc));
    r.svc.send(0, Buffer.from('ping'));
    assert.equal((await readAll(r.svc, 0, 4)).toString(), 'ping');
  });

  test('verify 1 through a hosts-map name with port remapping: checked against the name the module was given', async () => {
    const peer = await tlsServer();
    const r = sslRig({ hosts: { 'secure.test': { address: '127.0.0.1', ports: { '443': peer.port } } } });
    upload(r, { ca: pki().ca.cert });
    assert.equal(await openSsl(r, { host: 'secure.test', port: 443, config: { verify: 1 } }), Result.OK, why(r.svc));
    assert.deepEqual(r.svc.info(0)!.remote, { address: '127.0.0.1', port: 443 }, 'the module sees its port');
  });

  test('verify 1, a server certificate from another CA: 551, unknown CA', async () => {
    const r = sslRig();
    upload(r, { ca: pki().ca.cert });
    const peer = await tlsServer({ pair: pki().otherServer });
    const opened = openedLog(r.svc);
    const failures: string[] = [];
    r.svc.on('failure', (_id, _result, detail) => failures.push(detail));
    assert.equal(await openSsl(r, { id: 3, port: peer.port, config: { verify: 1 } }), Result.UNKNOWN_ERROR);
    assert.deepEqual(opened, [[3, 551]]);
    assert.match(r.svc.lastDetail, /TLS handshake failed: .*unknown CA/);
    assert.deepEqual(failures, [r.svc.lastDetail]);
    assert.equal(r.svc.lastResult, Result.UNKNOWN_ERROR);
    assert.equal(r.svc.info(3), undefined, 'a failed open frees its id');
  });

  test('verify 1, a certificate for another name: 551, host name mismatch', async () => {
    const r = sslRig();
    upload(r, { ca: pki().ca.cert });
    const peer = await tlsServer({ pair: pki().otherName });
    assert.equal(await openSsl(r, { port: peer.port, config: { verify: 1 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /host name mismatch: .*127\.0\.0\.1/);
  });

  test('verify 1, an expired certificate: 551, expired', async () => {
    const r = sslRig();
    upload(r, { ca: pki().ca.cert });
    const peer = await tlsServer({ pair: pki().expired });
    assert.equal(await openSsl(r, { port: peer.port, config: { verify: 1 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /expired \(CERT_HAS_EXPIRED\)/);
  });

  test('verify 0 takes the expired and the wrongly named certificate alike', async () => {
    const r = sslRig();
    for (const [id, pair] of [
      [0, pki().expired],
      [1, pki().otherName],
    ] as const) {
      const peer = await tlsServer({ pair });
      assert.equal(await openSsl(r, { id, port: peer.port, config: { verify: 0 } }), Result.OK, why(r.svc));
    }
  });

  test('a server that demands a client certificate: verify 1 sends none → 551; verify 2 → 0, the server sees it', async () => {
    const r = sslRig();
    const { ca, client } = pki();
    upload(r, { ca: ca.cert, cert: client.cert, key: client.key });
    const peer = await tlsServer({ requestCert: true, rejectUnauthorized: true, ca: ca.cert });

    assert.equal(await openSsl(r, { id: 0, port: peer.port, config: { verify: 1 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /requires a client certificate/);
    await until(() => peer.clientErrors.length === 1, 'the server to refuse the first client');

    assert.equal(await openSsl(r, { id: 1, port: peer.port, config: { verify: 2 } }), Result.OK, why(r.svc));
    const server = await peer.connection();
    assert.equal(server.authorized, true);
    assert.equal(server.getPeerCertificate().subject.CN, 'fc41d-client');
  });

  test('verify 2 with a client certificate the server does not trust: 551 (a Node server just drops the connection)', async () => {
    const r = sslRig();
    const { ca, otherCa, client } = pki();
    upload(r, { ca: ca.cert, cert: client.cert, key: client.key });
    const peer = await tlsServer({ requestCert: true, rejectUnauthorized: true, ca: otherCa.cert });
    assert.equal(await openSsl(r, { port: peer.port, config: { verify: 2 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /refused the client certificate|closed the connection during the handshake/);
  });

  test('verify 2 with a key that does not match the client certificate: 551 (a handshake failure to the host)', async () => {
    const r = sslRig();
    const { ca, client, otherCa } = pki();
    upload(r, { ca: ca.cert, cert: client.cert, key: otherCa.key });
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { port: peer.port, config: { verify: 2 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /client key does not match/);
  });
});

describe('SSL client: SNI, versions, cipher suites', () => {
  test('SNI on with a name: the server sees it; off, or an IP literal: none', async () => {
    const peer = await tlsServer();
    const r = sslRig({ hosts: { 'secure.test': { address: '127.0.0.1', ports: { '443': peer.port } } } });
    assert.equal(await openSsl(r, { id: 0, host: 'secure.test', port: 443, config: { sni: 1 } }), Result.OK, why(r.svc));
    assert.equal((await peer.connection()).servername, 'secure.test');
    assert.equal(await openSsl(r, { id: 1, host: 'secure.test', port: 443, config: { sni: 0 } }), Result.OK, why(r.svc));
    assert.equal((await peer.connection()).servername, false);
    assert.equal(await openSsl(r, { id: 2, host: '127.0.0.1', port: peer.port, config: { sni: 1 } }), Result.OK, why(r.svc));
    assert.equal((await peer.connection()).servername, false);
  });

  for (const [version, protocol] of [
    [1, 'TLSv1'],
    [2, 'TLSv1.1'],
    [3, 'TLSv1.2'],
    [4, 'TLSv1.2'],
  ] as const) {
    test(`version ${version} against a server that allows TLS 1.0–1.3: ${protocol}`, async () => {
      const r = sslRig();
      upload(r, { ca: pki().ca.cert });
      const peer = await legacyTlsServer();
      assert.equal(await openSsl(r, { port: peer.port, config: { version, verify: 1 } }), Result.OK, why(r.svc));
      assert.equal((await peer.connection()).getProtocol(), protocol);
      r.svc.send(0, Buffer.from('v'));
      assert.equal((await readAll(r.svc, 0, 1)).toString(), 'v');
    });
  }

  test('version 1 (TLS 1.0) against a TLS 1.2+ server: 551, protocol version', async () => {
    const r = sslRig();
    const peer = await tlsServer({ minVersion: 'TLSv1.2' });
    assert.equal(await openSsl(r, { port: peer.port, config: { version: 1 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /no protocol version in common/);
  });

  test('version 4 against a TLS 1.3-only server: 551 (the module has no TLS 1.3)', async () => {
    const r = sslRig();
    const peer = await tlsServer({ minVersion: 'TLSv1.3' });
    assert.equal(await openSsl(r, { port: peer.port, config: { version: 4 } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /protocol version/);
  });

  for (const [id, name] of [
    [0x002f, 'AES128-SHA'],
    [0x0035, 'AES256-SHA'],
    [0x003c, 'AES128-SHA256'],
    [0x003d, 'AES256-SHA256'],
    [0xc027, 'ECDHE-RSA-AES128-SHA256'],
    [0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256'],
  ] as const) {
    test(`cipher suite 0x${id.toString(16).padStart(4, '0')} is negotiated as ${name}`, async () => {
      const r = sslRig();
      const peer = await tlsServer({ ciphers: 'ALL' });
      assert.equal(await openSsl(r, { port: peer.port, config: { ciphersuites: [id] } }), Result.OK, why(r.svc));
      assert.equal((await peer.connection()).getCipher().name, name);
    });
  }

  test('RC4 only: the TCP connection is made, then 551 (OpenSSL 3 has no RC4)', async () => {
    const r = sslRig();
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { port: peer.port, config: { ciphersuites: [0x0004, 0x0005] } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /no usable cipher suite/);
    await until(() => peer.raw.length === 1, 'the server to see the TCP connection');
    assert.equal(peer.secure.length, 0);
  });

  test('RC4 and AES128-SHA: RC4 is skipped, AES128-SHA is used', async () => {
    const r = sslRig();
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { port: peer.port, config: { ciphersuites: [0x0005, 0x002f] } }), Result.OK, why(r.svc));
    assert.equal((await peer.connection()).getCipher().name, 'AES128-SHA');
  });

  test('a cipher suite the server does not take: 551', async () => {
    const r = sslRig();
    const peer = await tlsServer({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
    assert.equal(await openSsl(r, { port: peer.port, config: { ciphersuites: [0x002f] } }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /TLS handshake failed/);
  });
});

describe('SSL client: timeouts and the checks shared with TCP', () => {
  test('a server that never answers the ClientHello: 551 after the negotiation timeout, the id is freed', async () => {
    const r = sslRig();
    const silent = await tcpServer();
    const opened = openedLog(r.svc);
    const started = Date.now();
    assert.equal(await openSsl(r, { id: 5, port: silent.port, timeoutMs: 300 }), Result.UNKNOWN_ERROR);
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 3000, `took ${took} ms`);
    assert.match(r.svc.lastDetail, /negotiation timeout after 300 ms/);
    assert.deepEqual(opened, [[5, 551]]);
    assert.equal(r.svc.info(5), undefined);
    const server = await silent.connection();
    server.resume();
    if (!server.destroyed) await once(server, 'close'); // the client dropped the TCP connection
  });

  test('the negotiation timeout comes from the context (seconds → ms)', () => {
    const r = sslRig();
    r.contexts.set(0, { negotiateTimeout: 75 });
    const options = tlsOptions(r.contexts.get(0), r.certs, 'example.com');
    assert.ok(options.ok);
    assert.equal(options.timeoutMs, 75_000);
  });

  test('ids are shared with TCP: an id in use is 553; no network 556; bad host, port, mode or context 550', async () => {
    const r = sslRig();
    const echo = await tcpEcho();
    await mustOpen(r.svc, tcp(2, echo.port));
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { id: 2, port: peer.port }), Result.ID_IN_USE);
    assert.equal(r.svc.info(2)!.type, 'TCP', 'the TCP socket is untouched');
    const options = tlsOptions(r.contexts.get(0), r.certs, '127.0.0.1');
    assert.ok(options.ok);
    const base = { ctx: 0, id: 3, host: '127.0.0.1', remotePort: peer.port, localPort: 0, mode: 0 as const };
    assert.equal(await r.svc.openSsl({ ...base, id: 12 }, options), Result.INVALID_PARAMETER);
    assert.equal(await r.svc.openSsl({ ...base, ctx: 6 }, options), Result.INVALID_PARAMETER);
    assert.equal(await r.svc.openSsl({ ...base, host: 'bad host' }, options), Result.INVALID_PARAMETER);
    assert.equal(await r.svc.openSsl({ ...base, remotePort: 0 }, options), Result.INVALID_PARAMETER);
    assert.equal(await r.svc.openSsl({ ...base, mode: 3 as never }, options), Result.INVALID_PARAMETER);
    r.network.up = false;
    assert.equal(await r.svc.openSsl(base, options), Result.NOT_ALLOWED);
    r.network.up = true;
    assert.equal(await r.svc.openSsl(base, options), Result.OK, why(r.svc));
    // And the other way round: a TCP open on the SSL socket's id.
    assert.equal(await r.svc.open(tcp(3, echo.port)), Result.ID_IN_USE);
    assert.deepEqual(
      r.svc.list().map((s) => [s.id, s.type]),
      [
        [2, 'TCP'],
        [3, 'SSL CLIENT'],
      ],
    );
  });

  test('AT+QIOPEN cannot open an SSL CLIENT (not a service type of open())', async () => {
    const r = sslRig();
    assert.equal(await r.svc.open({ id: 0, type: 'SSL CLIENT' as never, host: '127.0.0.1', remotePort: 1, localPort: 0, mode: 0 }), Result.INVALID_PARAMETER);
  });

  test('nothing listening: 551 with ECONNREFUSED', async () => {
    const r = sslRig();
    const silent = await tcpServer();
    const port = silent.port;
    await new Promise<void>((resolve) => silent.server.close(() => resolve()));
    assert.equal(await openSsl(r, { port }), Result.UNKNOWN_ERROR);
    assert.match(r.svc.lastDetail, /ECONNREFUSED/);
  });

  test('close() during the handshake abandons the open silently; the id is free at once', async () => {
    const r = sslRig();
    const silent = await tcpServer();
    const log = record(r.svc);
    const pending = openSsl(r, { id: 1, port: silent.port });
    await silent.connection();
    await sleep(20);
    assert.equal(r.svc.info(1)!.state, SocketState.Opening);
    assert.equal(await r.svc.close(1, 1000), Result.OK);
    assert.equal(r.svc.info(1), undefined);
    assert.equal(await pending, Result.UNKNOWN_ERROR);
    assert.deepEqual(log, [], 'no opened event');
  });

  test('link loss during the handshake: opened 551, the id is freed', async () => {
    const r = sslRig();
    const silent = await tcpServer();
    const opened = openedLog(r.svc);
    const pending = openSsl(r, { id: 1, port: silent.port });
    await silent.connection();
    await sleep(20);
    r.svc.linkLost();
    assert.equal(await pending, Result.UNKNOWN_ERROR);
    assert.deepEqual(opened, [[1, 551]]);
    assert.match(r.svc.lastDetail, /Wi-Fi link was lost/);
    assert.equal(r.svc.info(1), undefined);
  });
});

describe('SSL client: a connected socket behaves like a TCP client', () => {
  test('the peer closes: closed once, data before it still readable, close() frees the id', async () => {
    const r = sslRig();
    const peer = await tlsServer({ handle: (s) => s.end('bye') });
    const closed = next(r.svc, 'closed', (id) => id === 0);
    assert.equal(await openSsl(r, { port: peer.port }), Result.OK, why(r.svc));
    await closed;
    assert.equal(r.svc.info(0)!.state, SocketState.Closing);
    assert.equal(r.svc.read(0, 100)!.data.toString(), 'bye');
    assert.equal(await r.svc.close(0, 1000), Result.OK);
    assert.equal(r.svc.info(0), undefined);
  });

  test('a megabyte echoed through TLS with a small receive buffer (push-back, no loss)', async () => {
    const r = sslRig({ recvBufferBytes: 8 * 1024 });
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { port: peer.port, mode: 1 }), Result.OK, why(r.svc));
    const payload = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 10)) & 0xff;
    for (let off = 0; off < payload.length; off += 1460) r.svc.send(0, payload.subarray(off, off + 1460));
    await sleep(50);
    assert.ok(r.svc.unread(0) <= 8 * 1024, 'the buffer never holds more than its capacity');
    assert.ok((await readAll(r.svc, 0, payload.length, 1500)).equals(payload));
  });

  test('setMode, linkLost and closeAll', async () => {
    const r = sslRig();
    const peer = await tlsServer();
    assert.equal(await openSsl(r, { id: 0, port: peer.port }), Result.OK, why(r.svc));
    assert.equal(await openSsl(r, { id: 1, port: peer.port }), Result.OK, why(r.svc));
    assert.equal(r.svc.setMode(0, 2), Result.OK);
    assert.equal(r.svc.info(0)!.mode, 2);
    const closed: unknown[] = [];
    r.svc.on('closed', (id, reason) => closed.push([id, reason]));
    r.svc.linkLost();
    assert.deepEqual(closed, [
      [0, 'Wi-Fi link lost'],
      [1, 'Wi-Fi link lost'],
    ]);
    assert.equal(r.svc.info(0)!.state, SocketState.Closing);
    const servers = await Promise.all([peer.connection(), peer.connection()]);
    r.svc.closeAll();
    assert.deepEqual(r.svc.list(), []);
    await until(() => servers.every((s) => s.destroyed || s.readableEnded), 'the server side to see both go');
  });
});
