/**
 * Test certificates, made once per test process with the `openssl` CLI (sha256, RSA 2048; the
 * leaf certificates share one key) in a temporary directory removed at exit: a CA; server
 * certificates it signs (localhost, 127.0.0.1 and secure.test; one for another name; one that
 * expired in 2020); a client certificate it signs; and an unrelated CA with a server
 * certificate of its own.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

export interface TestPki {
  dir: string;
  ca: KeyPair;
  /** CN=localhost; SAN localhost, secure.test, 127.0.0.1; signed by `ca`. */
  server: KeyPair;
  /** SAN other.example only; signed by `ca`. */
  otherName: KeyPair;
  /** Valid 2020-01-01 … 2020-02-01 only; SAN localhost, 127.0.0.1; signed by `ca`. */
  expired: KeyPair;
  /** CN=fc41d-client, clientAuth; signed by `ca`. */
  client: KeyPair;
  /** An unrelated CA… */
  otherCa: KeyPair;
  /** …and a server certificate (SAN localhost, 127.0.0.1) it signs. */
  otherServer: KeyPair;
  /** An RSA key encrypted with a passphrase ("secret"). */
  encryptedKey: Buffer;
}

let made: TestPki | undefined;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const CA_CONFIG = `[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[p]
commonName = supplied
`;

/** The test PKI (made on first use). */
export function pki(): TestPki {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-ssl-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const read = (name: string): KeyPair => ({ cert: readFileSync(join(dir, `${name}.crt`)), key: readFileSync(join(dir, `${name}.key`)) });

  const makeCa = (name: string, cn: string): void => {
    openssl(dir, [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-noenc', '-sha256', '-keyout', `${name}.key`, '-out', `${name}.crt`],
      ...['-days', '3650', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ]);
    writeFileSync(join(dir, `${name}.cnf`), CA_CONFIG.replace('database = index.txt', `database = ${name}.index`).replace('serial = serial', `serial = ${name}.serial`));
    writeFileSync(join(dir, `${name}.index`), '');
    writeFileSync(join(dir, `${name}.serial`), '01\n');
  };
  const makeLeaf = (name: string, ca: string, cn: string, extensions: string[], dates: string[] = ['-days', '3650']): void => {
    // One key for every leaf: key generation is the slow part, and the tests need no more.
    copyFileSync(join(dir, 'leaf.key'), join(dir, `${name}.key`));
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`, ...extensions.flatMap((e) => ['-addext', e])]);
    const signer = ['-config', `${ca}.cnf`, '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`];
    openssl(dir, ['ca', '-batch', '-notext', ...signer, '-in', `${name}.csr`, '-out', `${name}.crt`, ...dates]);
  };
  const serverExt = (san: string): string[] => [`subjectAltName=${san}`, 'extendedKeyUsage=serverAuth'];

  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'leaf.key']);
  makeCa('ca', 'FC41D Test CA');
  makeCa('other-ca', 'Unrelated Test CA');
  makeLeaf('server', 'ca', 'localhost', serverExt('DNS:localhost,DNS:secure.test,IP:127.0.0.1'));
  makeLeaf('other-name', 'ca', 'other.example', serverExt('DNS:other.example'));
  makeLeaf('expired', 'ca', 'localhost', serverExt('DNS:localhost,IP:127.0.0.1'), ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']);
  makeLeaf('client', 'ca', 'fc41d-client', ['extendedKeyUsage=clientAuth']);
  makeLeaf('other-server', 'other-ca', 'localhost', serverExt('DNS:localhost,IP:127.0.0.1'));
  openssl(dir, ['pkey', '-in', 'leaf.key', '-aes256', '-passout', 'pass:secret', '-out', 'encrypted.key']);

  made = {
    dir,
    ca: read('ca'),
    server: read('server'),
    otherName: read('other-name'),
    expired: read('expired'),
    client: read('client'),
    otherCa: read('other-ca'),
    otherServer: read('other-server'),
    encryptedKey: readFileSync(join(dir, 'encrypted.key')),
  };
  return made;
}
