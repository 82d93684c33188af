// tlsOptions: an SSL context (§2.4.1) and the certificate store (§2.4.2) → tls.connect options
// (the tables of docs/ssl-service.md), and the refusals: SSL 3.0 → 557, unknown cipher suite
// id → 550, verify levels without their certificates → 551.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { describe, test } from 'node:test';
import { Flash } from '../../src/device/flash.ts';
import { Result } from '../../src/results/index.ts';
import { CertStore } from '../../src/ssl/cert-store.ts';
import { CIPHER_SUITES, LEGACY_SECLEVEL, tlsOptions } from '../../src/ssl/tls-options.ts';
import { DEFAULT_SSL_CONTEXT, type SslContextConfig } from '../../src/ssl/types.ts';
import { pki } from './certs.ts';

const config = (patch: Partial<SslContextConfig> = {}): SslContextConfig => ({ ...DEFAULT_SSL_CONTEXT, ciphersuites: [0xffff], ...patch });
const store = (certs: { ca?: boolean; cert?: boolean; key?: boolean } = {}): CertStore => {
  const s = new CertStore(Flash.open());
  if (certs.ca) assert.ok(s.put('CA', pki().ca.cert).ok);
  if (certs.cert) assert.ok(s.put('User Cert', pki().client.cert).ok);
  if (certs.key) assert.ok(s.put('User Key', pki().client.key).ok);
  return s;
};
const ok = (result: ReturnType<typeof tlsOptions>): tls.ConnectionOptions => {
  assert.ok(result.ok, result.ok ? '' : `${result.result} ${result.detail}`);
  return result.options;
};

describe('tlsOptions: versions', () => {
  test('0 (SSL 3.0): 557, OpenSSL 3 has no SSLv3', () => {
    const result = tlsOptions(config({ version: 0 }), store(), 'example.com');
    assert.deepEqual(result.ok ? null : [result.result, /SSL 3\.0/.test(result.detail)], [Result.NOT_SUPPORTED, true]);
  });

  test('1, 2, 3, 4 → TLS 1.0 only, 1.1 only, 1.2 only, 1.0–1.2; security level 0 whenever TLS 1.0/1.1 may be used', () => {
    const expect = {
      1: ['TLSv1', 'TLSv1', true],
      2: ['TLSv1.1', 'TLSv1.1', true],
      3: ['TLSv1.2', 'TLSv1.2', false],
      4: ['TLSv1', 'TLSv1.2', true],
    } as const;
    for (const [version, [min, max, legacy]] of Object.entries(expect)) {
      const options = ok(tlsOptions(config({ version: Number(version) as 1 }), store(), 'example.com'));
      assert.equal(options.minVersion, min, `version ${version}`);
      assert.equal(options.maxVersion, max, `version ${version}`);
      assert.equal(options.ciphers!.endsWith(`:${LEGACY_SECLEVEL}`), legacy, `version ${version}: ${options.ciphers}`);
    }
  });
});

describe('tlsOptions: cipher suites', () => {
  test('0xFFFF: the default list', () => {
    const options = ok(tlsOptions(config({ version: 3 }), store(), 'example.com'));
    assert.equal(options.ciphers, tls.DEFAULT_CIPHERS);
  });

  test('each id maps to its OpenSSL name, in the order given, without duplicates', () => {
    assert.deepEqual(
      [...CIPHER_SUITES],
      [
        [0x0004, 'RC4-MD5'],
        [0x0005, 'RC4-SHA'],
        [0x002f, 'AES128-SHA'],
        [0x0035, 'AES256-SHA'],
        [0x003c, 'AES128-SHA256'],
        [0x003d, 'AES256-SHA256'],
        [0xc027, 'ECDHE-RSA-AES128-SHA256'],
        [0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256'],
      ],
    );
    const options = ok(tlsOptions(config({ version: 3, ciphersuites: [0xc02f, 0x002f, 0xc02f] }), store(), 'example.com'));
    assert.equal(options.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA');
  });

  test('0xFFFF among others means all', () => {
    const options = ok(tlsOptions(config({ version: 3, ciphersuites: [0x002f, 0xffff] }), store(), 'example.com'));
    assert.equal(options.ciphers, tls.DEFAULT_CIPHERS);
  });

  test('an unknown id: 550', () => {
    const result = tlsOptions(config({ ciphersuites: [0x002f, 0x1301] }), store(), 'example.com');
    assert.deepEqual(result.ok ? null : [result.result, result.detail], [Result.INVALID_PARAMETER, 'unknown cipher suite id 0x1301']);
  });

  test('RC4 only is passed on (tls.connect then refuses it: a handshake failure)', () => {
    const options = ok(tlsOptions(config({ version: 3, ciphersuites: [0x0004] }), store(), 'example.com'));
    assert.equal(options.ciphers, 'RC4-MD5');
    assert.throws(() => tls.createSecureContext(options), { code: 'ERR_SSL_NO_CIPHER_MATCH' });
  });
});

describe('tlsOptions: verify levels and SNI', () => {
  test('0: no verification, no certificates needed', () => {
    const options = ok(tlsOptions(config({ verify: 0 }), store(), 'example.com'));
    assert.equal(options.rejectUnauthorized, false);
    assert.equal(options.ca, undefined);
    assert.equal(options.checkServerIdentity, undefined);
  });

  test('1: the uploaded CA only (not the system store), names checked against the host given', () => {
    const options = ok(tlsOptions(config({ verify: 1 }), store({ ca: true }), 'secure.test'));
    assert.equal(options.rejectUnauthorized, true);
    assert.ok(Buffer.isBuffer(options.ca) && options.ca.equals(pki().ca.cert));
    assert.equal(options.cert, undefined);
    const cert = new X509Certificate(pki().server.cert).toLegacyObject();
    assert.equal(options.checkServerIdentity!('ignored', cert), undefined, 'secure.test is in the SAN');
    const other = ok(tlsOptions(config({ verify: 1 }), store({ ca: true }), 'other.example'));
    assert.ok(other.checkServerIdentity!('secure.test', cert) instanceof Error, 'other.example is not');
  });

  test('1 without a CA: 551', () => {
    const result = tlsOptions(config({ verify: 1 }), store(), 'example.com');
    assert.equal(result.ok ? 0 : result.result, Result.UNKNOWN_ERROR);
    assert.match(result.ok ? '' : result.detail, /needs a CA certificate/);
  });

  test('2: CA, client certificate and key; any of them missing: 551', () => {
    const options = ok(tlsOptions(config({ verify: 2 }), store({ ca: true, cert: true, key: true }), 'example.com'));
    assert.ok(Buffer.isBuffer(options.cert) && options.cert.equals(pki().client.cert));
    assert.ok(Buffer.isBuffer(options.key) && options.key.equals(pki().client.key));
    for (const [certs, missing] of [
      [{ ca: true, cert: true }, /missing: "User Key"$/],
      [{ ca: true, key: true }, /missing: "User Cert"$/],
      [{ cert: true, key: true }, /needs a CA certificate/],
    ] as const) {
      const result = tlsOptions(config({ verify: 2 }), store(certs), 'example.com');
      assert.equal(result.ok ? 0 : result.result, Result.UNKNOWN_ERROR);
      assert.match(result.ok ? '' : result.detail, missing);
    }
  });

  test('SNI: only with sni 1 and a name (never an IP literal; a trailing dot dropped)', () => {
    assert.equal(ok(tlsOptions(config({ sni: 1 }), store(), 'example.com')).servername, 'example.com');
    assert.equal(ok(tlsOptions(config({ sni: 1 }), store(), 'example.com.')).servername, 'example.com');
    assert.equal(ok(tlsOptions(config({ sni: 0 }), store(), 'example.com')).servername, undefined);
    assert.equal(ok(tlsOptions(config({ sni: 1 }), store(), '192.0.2.1')).servername, undefined);
  });

  test('timeoutMs is the negotiation timeout in milliseconds', () => {
    const result = tlsOptions(config({ negotiateTimeout: 300 }), store(), 'example.com');
    assert.equal(result.ok && result.timeoutMs, 300_000);
  });
});
