/**
 * https through an SSL context (§2.4.1, §2.6.1 "sslctxid"): verification against the uploaded CA
 * with the URL's name, SNI, a client certificate for a server that requires one, and the
 * certificate failures as Table 3's 8 (lack of SSL cert).
 */
import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { httpRequest } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/types.ts';
import { HttpError, HttpResult } from '../../src/results/index.ts';
import { clientNetwork, httpServer, httpsServer } from '../helpers/http-servers.ts';
import { pki } from '../ssl/certs.ts';

function get(url: string, sslCtx: number): HttpRequest {
  return { method: 'GET', url, headers: [], auth: null, sslCtx, responseTimeoutMs: 10_000 };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `an HttpError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

/** A network naming the server secure.test (443 → its port) and other.test. */
function secureNetwork(port: number) {
  return clientNetwork({
    'secure.test': { address: '127.0.0.1', ports: { '443': port } },
    'other.test': { address: '127.0.0.1', ports: { '443': port } },
  });
}

test('verify level 1 with the right CA uploaded: 200; SNI carries the name when the context says so', async () => {
  const server = await httpsServer((_req, res) => res.end('secret'));
  const net = secureNetwork(server.port);
  assert.ok(net.certs.put('CA', pki().ca.cert).ok);
  assert.ok(net.contexts.set(2, { verify: 1, sni: 1 }));
  assert.ok(net.contexts.set(3, { verify: 1, sni: 0 }));
  const response = await httpRequest(net.network, realClock, get('https://secure.test/data', 2));
  assert.equal(response.status, 200);
  assert.equal(await text(response.body), 'secret');
  assert.equal(server.requests[0].servername, 'secure.test');
  const again = await httpRequest(net.network, realClock, get('https://secure.test/data', 3));
  assert.equal(await text(again.body), 'secret');
  assert.equal(server.requests[1].servername, false, 'no SNI with sni 0');
});

test('verify level 0 trusts anyone (the default context)', async () => {
  const server = await httpsServer((_req, res) => res.end('ok'), { pair: pki().otherServer });
  const net = secureNetwork(server.port);
  const response = await httpRequest(net.network, realClock, get('https://secure.test/', 1));
  assert.equal(response.status, 200);
  response.body.resume();
});

test('8: a server certificate the uploaded CA did not sign, or one for another name', async () => {
  const untrusted = await httpsServer((_req, res) => res.end('no'), { pair: pki().otherServer });
  const net = secureNetwork(untrusted.port);
  assert.ok(net.certs.put('CA', pki().ca.cert).ok);
  assert.ok(net.contexts.set(1, { verify: 1 }));
  const error = await failure(httpRequest(net.network, realClock, get('https://secure.test/', 1)));
  assert.equal(error.result, HttpResult.LACK_OF_SSL_CERT, error.message);
  assert.equal(untrusted.requests.length, 0);

  const server = await httpsServer((_req, res) => res.end('no'));
  const named = secureNetwork(server.port);
  assert.ok(named.certs.put('CA', pki().ca.cert).ok);
  assert.ok(named.contexts.set(1, { verify: 1 }));
  const mismatch = await failure(httpRequest(named.network, realClock, get('https://other.test/', 1)));
  assert.equal(mismatch.result, HttpResult.LACK_OF_SSL_CERT, mismatch.message);
  assert.equal(server.requests.length, 0);
});

test('8: verify level 1 with no CA uploaded, level 2 without the client certificate: refused before connecting', async () => {
  const server = await httpsServer((_req, res) => res.end('no'));
  const net = secureNetwork(server.port);
  assert.ok(net.contexts.set(1, { verify: 1 }));
  assert.equal((await failure(httpRequest(net.network, realClock, get('https://secure.test/', 1)))).result, HttpResult.LACK_OF_SSL_CERT);
  assert.ok(net.certs.put('CA', pki().ca.cert).ok);
  assert.ok(net.contexts.set(1, { verify: 2 }));
  assert.equal((await failure(httpRequest(net.network, realClock, get('https://secure.test/', 1)))).result, HttpResult.LACK_OF_SSL_CERT);
  await sleep(50);
  assert.equal(server.connections, 0);
});

test('a server that requires a client certificate: 8 without one, 200 with verify level 2 and the certificate uploaded', async () => {
  const server = await httpsServer((_req, res) => res.end('welcome'), { requireClientCert: true });
  const net = secureNetwork(server.port);
  assert.ok(net.certs.put('CA', pki().ca.cert).ok);
  assert.ok(net.contexts.set(1, { verify: 1 }));
  const error = await failure(httpRequest(net.network, realClock, get('https://secure.test/', 1)));
  assert.equal(error.result, HttpResult.LACK_OF_SSL_CERT, error.message);

  assert.ok(net.certs.put('User Cert', pki().client.cert).ok);
  assert.ok(net.certs.put('User Key', pki().client.key).ok);
  assert.ok(net.contexts.set(1, { verify: 2 }));
  const response = await httpRequest(net.network, realClock, get('https://secure.test/', 1));
  assert.equal(response.status, 200);
  assert.equal(await text(response.body), 'welcome');
  assert.equal(server.requests[0].clientCn, 'fc41d-client');
});

test('5: SSL 3.0 in the context; 1: a context out of range', async () => {
  const server = await httpsServer((_req, res) => res.end('no'));
  const net = secureNetwork(server.port);
  assert.ok(net.contexts.set(1, { version: 0 }));
  assert.equal((await failure(httpRequest(net.network, realClock, get('https://secure.test/', 1)))).result, HttpResult.NOT_SUPPORTED);
  assert.equal((await failure(httpRequest(net.network, realClock, get('https://secure.test/', 6)))).result, HttpResult.INVALID_PARAMETER);
  await sleep(50);
  assert.equal(server.connections, 0);
});

test('4: a TLS failure that is no certificate problem (a plain HTTP server on the https port)', async () => {
  const plain = await httpServer((_req, res) => res.end('plain'));
  const net = secureNetwork(plain.port);
  const error = await failure(httpRequest(net.network, realClock, get('https://secure.test/', 1)));
  assert.equal(error.result, HttpResult.SOCKET_FAILURE, error.message);
});
