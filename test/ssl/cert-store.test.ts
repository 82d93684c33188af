// The certificate store (§2.4.2 AT+QSSLCERT): validation of uploads (X.509 PEM, CA bundles,
// unencrypted PEM keys), refusal leaves the old content, delete/has/get, and persistence in
// the flash file across Flash.open.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Flash } from '../../src/device/flash.ts';
import { CertStore } from '../../src/ssl/cert-store.ts';
import { pki } from './certs.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const flashPath = (): string => join(dir, `flash-${files++}.json`);

const refused = (store: CertStore, type: 'CA' | 'User Cert' | 'User Key', bytes: Buffer, reason: RegExp): void => {
  const result = store.put(type, bytes);
  assert.equal(result.ok, false, `${type} should be refused`);
  assert.match(result.ok ? '' : result.reason, reason);
};

describe('CertStore: validation', () => {
  test('a CA, a client certificate and a key are stored and read back byte for byte', () => {
    const store = new CertStore(Flash.open());
    const { ca, client } = pki();
    assert.deepEqual([store.has('CA'), store.has('User Cert'), store.has('User Key')], [false, false, false]);
    assert.equal(store.get('CA'), undefined);
    assert.deepEqual(store.put('CA', ca.cert), { ok: true });
    assert.deepEqual(store.put('User Cert', client.cert), { ok: true });
    assert.deepEqual(store.put('User Key', client.key), { ok: true });
    assert.ok(store.get('CA')!.equals(ca.cert));
    assert.ok(store.get('User Cert')!.equals(client.cert));
    assert.ok(store.get('User Key')!.equals(client.key));
  });

  test('a CA bundle of several certificates, with text around them and CRLF line ends', () => {
    const store = new CertStore(Flash.open());
    const { ca, otherCa } = pki();
    const bundle = Buffer.from(`# first\r\n${ca.cert.toString().replace(/\n/g, '\r\n')}\r\n# second\r\n${otherCa.cert}`);
    assert.deepEqual(store.put('CA', bundle), { ok: true });
    assert.ok(store.get('CA')!.equals(bundle));
  });

  test('malformed uploads are refused and the stored one stays', () => {
    const store = new CertStore(Flash.open());
    const { ca, client, encryptedKey } = pki();
    assert.ok(store.put('CA', ca.cert).ok);
    const pem = ca.cert.toString();
    refused(store, 'CA', Buffer.from('hello'), /no PEM certificate/);
    refused(store, 'CA', Buffer.from(pem.replace(/[A-Za-z]{8}\n/, 'AAAA\n')), /does not parse/);
    refused(store, 'CA', Buffer.from(pem.slice(0, 400)), /not terminated/);
    refused(store, 'CA', Buffer.from(`${pem}-----BEGIN CERTIFICATE-----\nAAAA\n`), /not terminated/);
    refused(store, 'CA', Buffer.from(`${pem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`), /certificate 2 of 2 does not parse/);
    const der = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: ca.cert });
    refused(store, 'CA', der, /PEM/);
    refused(store, 'User Cert', client.key, /no PEM certificate/);
    refused(store, 'User Key', client.cert, /no PEM private key/);
    refused(store, 'User Key', Buffer.from(client.key.toString().replace(/\n[A-Za-z0-9+/]{20}/, '\n')), /does not parse/);
    refused(store, 'User Key', encryptedKey, /does not parse/);
    refused(store, 'CA', Buffer.from([0x2d, 0xff, 0xfe]), /invalid UTF-8/);
    refused(store, 'Bogus' as 'CA', ca.cert, /unknown certificate type/);
    assert.ok(store.get('CA')!.equals(ca.cert), 'the old CA is still there');
    assert.equal(store.has('User Cert'), false);
    assert.equal(store.has('User Key'), false);
  });

  test('delete: true when there was one; the others stay', () => {
    const store = new CertStore(Flash.open());
    assert.ok(store.put('CA', pki().ca.cert).ok);
    assert.ok(store.put('User Key', pki().client.key).ok);
    assert.equal(store.delete('CA'), true);
    assert.equal(store.delete('CA'), false);
    assert.equal(store.delete('User Cert'), false);
    assert.equal(store.has('CA'), false);
    assert.equal(store.has('User Key'), true);
  });
});

describe('CertStore: flash', () => {
  test('saved in the flash file under ssl.certs, and there after a new Flash.open', () => {
    const path = flashPath();
    const flash = Flash.open(path);
    flash.update((data) => {
      data.system.echo = true;
    });
    const { ca, client } = pki();
    const store = new CertStore(flash);
    assert.ok(store.put('CA', ca.cert).ok);
    assert.ok(store.put('User Cert', client.cert).ok);
    assert.ok(store.put('User Key', client.key).ok);
    assert.ok(store.delete('User Cert'));

    const json = JSON.parse(readFileSync(path, 'utf8')) as { ssl: { certs: Record<string, string> }; system: { echo: boolean } };
    assert.deepEqual(Object.keys(json.ssl.certs).sort(), ['CA', 'User Key']);
    assert.equal(json.ssl.certs.CA, ca.cert.toString());
    assert.equal(json.system.echo, true, 'other sections are kept');

    const again = new CertStore(Flash.open(path));
    assert.ok(again.get('CA')!.equals(ca.cert));
    assert.ok(again.get('User Key')!.equals(client.key));
    assert.equal(again.has('User Cert'), false);
  });

  test('a refused upload writes nothing; other keys of the ssl section are kept', () => {
    const path = flashPath();
    const flash = Flash.open(path);
    flash.update((data) => {
      data.ssl = { other: 1 };
    });
    const before = readFileSync(path, 'utf8');
    const store = new CertStore(flash);
    assert.equal(store.put('CA', Buffer.from('junk')).ok, false);
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.ok(store.put('CA', pki().ca.cert).ok);
    const json = JSON.parse(readFileSync(path, 'utf8')) as { ssl: Record<string, unknown> };
    assert.equal(json.ssl.other, 1);
  });

  test('a flash with a strange ssl section reads as empty and is repaired by the next upload', () => {
    const path = flashPath();
    const flash = Flash.open(path);
    flash.update((data) => {
      data.ssl = { certs: { CA: 42, 'User Key': 'x' } };
    });
    const store = new CertStore(flash);
    assert.equal(store.has('CA'), false, 'not a string: not a certificate');
    assert.equal(store.has('User Key'), true, 'what was stored is handed back as it is');
    assert.ok(store.put('CA', pki().ca.cert).ok);
    assert.ok(new CertStore(Flash.open(path)).get('CA')!.equals(pki().ca.cert));
  });
});
