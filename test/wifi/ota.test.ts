import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { downloadOtaImage, OTA_DOWNLOAD_TIMEOUT_MS, OTA_MAX_IMAGE_BYTES } from '../../src/wifi/ota-download.ts';
import { buildOtaImage, parseOtaImage } from '../../src/wifi/ota-image.ts';

const BIN = fileURLToPath(new URL('../../bin/fc41d.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fc41d-ota-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const OPTS = { timeoutMs: 10_000, maxBytes: OTA_MAX_IMAGE_BYTES };

function reasonOf(result: ReturnType<typeof parseOtaImage>): string {
  assert.equal(result.ok, false, 'expected the image to be rejected');
  return (result as { reason: string }).reason;
}

/** Replaces the header line starting with `key: ` (payload untouched). */
function withHeader(image: Buffer, key: string, value: string): Buffer {
  const end = image.indexOf('\n\n') + 2;
  const header = image.subarray(0, end).toString('latin1').replace(new RegExp(`^${key}: .*$`, 'm'), `${key}: ${value}`);
  return Buffer.concat([Buffer.from(header, 'latin1'), image.subarray(end)]);
}

describe('OTA image format', () => {
  test('round trip, any payload bytes, default payload', () => {
    const payload = Buffer.from([0, 10, 10, 13, 255, 0x46, 0x43, 10, 10]); // blank lines inside the payload too
    const parsed = parseOtaImage(buildOtaImage('FC41DAAR03A10', payload));
    assert.deepEqual(parsed, { ok: true, version: 'FC41DAAR03A10', payload });

    const empty = parseOtaImage(buildOtaImage('V1', Buffer.alloc(0)));
    assert.deepEqual(empty, { ok: true, version: 'V1', payload: Buffer.alloc(0) });

    const a = parseOtaImage(buildOtaImage('FC41DAAR03A10'));
    const b = parseOtaImage(buildOtaImage('FC41DAAR03A11'));
    assert.ok(a.ok && b.ok);
    assert.ok(a.payload.length > 0);
    assert.notDeepEqual(a.payload, b.payload, 'default payloads differ by version');
  });

  test('the header is the documented text', () => {
    const text = buildOtaImage('FC41DAAR03A10', Buffer.from('abc')).toString('latin1');
    assert.equal(
      text,
      'FC41D-OTA 1\nversion: FC41DAAR03A10\nsize: 3\nsha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\nabc',
    );
  });

  test('a flipped payload byte is a checksum mismatch', () => {
    const image = buildOtaImage('FC41DAAR03A10');
    image[image.length - 100] ^= 0x01;
    assert.equal(reasonOf(parseOtaImage(image)), 'checksum mismatch');
  });

  test('truncation, anywhere, is detected', () => {
    const image = buildOtaImage('FC41DAAR03A10');
    assert.equal(reasonOf(parseOtaImage(image.subarray(0, image.length - 1))), 'truncated');
    assert.equal(reasonOf(parseOtaImage(image.subarray(0, 40))), 'truncated'); // inside the header
    assert.equal(reasonOf(parseOtaImage(image.subarray(0, 11))), 'truncated'); // magic without its newline
    assert.equal(reasonOf(parseOtaImage(Buffer.alloc(0))), 'not an FC41D image');
  });

  test('wrong magic and unsupported format versions', () => {
    const image = buildOtaImage('FC41DAAR03A10');
    const foreign = Buffer.from(image);
    foreign.write('XC41D', 0, 'latin1');
    assert.equal(reasonOf(parseOtaImage(foreign)), 'not an FC41D image');
    assert.equal(reasonOf(parseOtaImage(Buffer.from('<html>404 Not Found</html>'))), 'not an FC41D image');
    const v2 = Buffer.concat([Buffer.from('FC41D-OTA 2\n'), image.subarray(12)]);
    assert.equal(reasonOf(parseOtaImage(v2)), 'unsupported format version 2');
  });

  test('a wrong size field is detected', () => {
    const image = buildOtaImage('FC41DAAR03A10', Buffer.from('firmware'));
    assert.equal(reasonOf(parseOtaImage(withHeader(image, 'size', '9'))), 'truncated');
    assert.equal(reasonOf(parseOtaImage(withHeader(image, 'size', '7'))), 'size mismatch');
    assert.equal(reasonOf(parseOtaImage(Buffer.concat([image, Buffer.from('x')]))), 'size mismatch');
    for (const bad of ['', '-1', '08', '1e3', ' 8']) assert.equal(reasonOf(parseOtaImage(withHeader(image, 'size', bad))), 'bad size', bad);
  });

  test('a bad version is rejected, when building and when parsing', () => {
    for (const bad of ['', 'FC41D AAR', 'FC41D,A10', 'x'.repeat(65), 'FC41DÄ', 'FC41D\tA']) {
      assert.throws(() => buildOtaImage(bad), RangeError, JSON.stringify(bad));
    }
    assert.doesNotThrow(() => buildOtaImage('x'.repeat(64)));
    // Real modules report the version with its build suffix (FIDELITY.md): 33 characters.
    assert.equal(parseOtaImage(buildOtaImage('FC41DAAR03A09M02.bin_202406260343')).ok, true);
    const image = buildOtaImage('FC41DAAR03A10', Buffer.from('fw'));
    for (const bad of ['', 'FC41D AAR', 'a,b', 'x'.repeat(65)]) assert.equal(reasonOf(parseOtaImage(withHeader(image, 'version', bad))), 'bad version', bad);
  });

  test('malformed headers', () => {
    const image = buildOtaImage('FC41DAAR03A10', Buffer.from('fw'));
    assert.equal(reasonOf(parseOtaImage(withHeader(image, 'sha256', 'abc'))), 'bad checksum field');
    const reordered = Buffer.from(image.toString('latin1').replace(/^(version: .*)\n(size: .*)$/m, '$2\n$1'), 'latin1');
    assert.equal(reasonOf(parseOtaImage(reordered)), 'bad header');
    const noBlank = Buffer.concat([Buffer.from('FC41D-OTA 1\n'), Buffer.alloc(600, 0x41)]);
    assert.equal(reasonOf(parseOtaImage(noBlank)), 'bad header');
  });
});

/** Starts a server on 127.0.0.1 port 0, torn down (with any open connections) after the test. */
async function listen<S extends http.Server | Server>(server: S): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** An HTTP server answering every request with `handler`, remembering the Host headers it saw. */
async function httpServer(handler: http.RequestListener) {
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    handler(req, res);
  });
  const port = await listen(server);
  return { port, hosts, url: `http://127.0.0.1:${port}/fw.bin` };
}

describe('OTA download', () => {
  test('the limits are the documented ones', () => {
    assert.equal(OTA_MAX_IMAGE_BYTES, 2 * 1024 * 1024);
    assert.equal(OTA_DOWNLOAD_TIMEOUT_MS, 30_000);
  });

  test('200 with a good image: ok, with its version', async () => {
    const image = buildOtaImage('FC41DAAR03A10');
    const { url } = await httpServer((_req, res) => res.end(image));
    assert.deepEqual(await downloadOtaImage(url, OPTS), { ok: true, version: 'FC41DAAR03A10', bytes: image.length });
  });

  test('a chunked body without Content-Length works too', async () => {
    const image = buildOtaImage('FC41DAAR03A10');
    const { url } = await httpServer((_req, res) => {
      res.write(image.subarray(0, 100));
      setTimeout(() => res.end(image.subarray(100)), 20);
    });
    assert.deepEqual(await downloadOtaImage(url, OPTS), { ok: true, version: 'FC41DAAR03A10', bytes: image.length });
  });

  test('a corrupt or foreign file: ok:false with the parse reason', async () => {
    const image = buildOtaImage('FC41DAAR03A10');
    image[image.length - 1] ^= 0xff;
    const corrupt = await httpServer((_req, res) => res.end(image));
    assert.deepEqual(await downloadOtaImage(corrupt.url, OPTS), { ok: false, reason: 'checksum mismatch' });
    const html = await httpServer((_req, res) => res.end('<html>hello</html>'));
    assert.deepEqual(await downloadOtaImage(html.url, OPTS), { ok: false, reason: 'not an FC41D image' });
  });

  test('404 and other non-2xx statuses', async () => {
    const missing = await httpServer((_req, res) => res.writeHead(404).end('not found'));
    assert.deepEqual(await downloadOtaImage(missing.url, OPTS), { ok: false, reason: 'http 404' });
    const moved = await httpServer((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    assert.deepEqual(await downloadOtaImage(moved.url, OPTS), { ok: false, reason: 'http 302' });
  });

  test('nothing listening: connection refused', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    assert.deepEqual(await downloadOtaImage(`http://127.0.0.1:${port}/fw.bin`, OPTS), { ok: false, reason: 'connection refused' });
  });

  test('a server that never answers: timeout', async () => {
    const { url } = await httpServer(() => {}); // takes the request, never responds
    const started = Date.now();
    assert.deepEqual(await downloadOtaImage(url, { ...OPTS, timeoutMs: 200 }), { ok: false, reason: 'timeout' });
    assert.ok(Date.now() - started < 5_000);
  });

  test('a body that stalls midway: timeout', async () => {
    const image = buildOtaImage('FC41DAAR03A10');
    const { url } = await httpServer((_req, res) => res.writeHead(200, { 'content-length': image.length }).write(image.subarray(0, 50)));
    assert.deepEqual(await downloadOtaImage(url, { ...OPTS, timeoutMs: 200 }), { ok: false, reason: 'timeout' });
  });

  test('the connection dropped midway: not ok', async () => {
    const image = buildOtaImage('FC41DAAR03A10');
    const { url } = await httpServer((req, res) => {
      res.writeHead(200, { 'content-length': image.length }).write(image.subarray(0, 50));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const result = await downloadOtaImage(url, OPTS);
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, /^(connection reset|connection closed)$/);
  });

  test('larger than maxBytes: too large (declared or streamed)', async () => {
    const image = buildOtaImage('FC41DAAR03A10', Buffer.alloc(5000, 7));
    const declared = await httpServer((_req, res) => res.end(image));
    assert.deepEqual(await downloadOtaImage(declared.url, { ...OPTS, maxBytes: 4096 }), { ok: false, reason: 'too large' });
    const streamed = await httpServer((_req, res) => {
      res.write(image.subarray(0, 3000)); // chunked: no Content-Length to go by
      setTimeout(() => res.end(image.subarray(3000)), 20);
    });
    assert.deepEqual(await downloadOtaImage(streamed.url, { ...OPTS, maxBytes: 4096 }), { ok: false, reason: 'too large' });
    assert.equal((await downloadOtaImage(declared.url, { ...OPTS, maxBytes: image.length })).ok, true, 'exactly maxBytes is fine');
  });

  test('the resolve hook: connects to its address, Host stays the name', async () => {
    const image = buildOtaImage('FC41DAAR03A10');
    const server = await httpServer((_req, res) => res.end(image));
    const asked: string[] = [];
    const resolve = (host: string) => (asked.push(host), host === 'ota.test' ? '127.0.0.1' : undefined);
    const result = await downloadOtaImage(`http://ota.test:${server.port}/fw.bin`, { ...OPTS, resolve });
    assert.deepEqual(result, { ok: true, version: 'FC41DAAR03A10', bytes: image.length });
    assert.deepEqual(asked, ['ota.test']);
    assert.deepEqual(server.hosts, [`ota.test:${server.port}`]);
  });

  test('an unknown name: dns failure', async () => {
    const result = await downloadOtaImage('http://no-such-host.invalid/fw.bin', { ...OPTS, resolve: () => undefined });
    assert.deepEqual(result, { ok: false, reason: 'dns failure' });
  });

  test('only http and https URLs', async () => {
    for (const url of ['ftp://127.0.0.1/fw.bin', 'file:///etc/passwd', 'tftp://host/fw'])
      assert.deepEqual(await downloadOtaImage(url, OPTS), { ok: false, reason: 'unsupported scheme' }, url);
    for (const url of ['', 'fw.bin', '127.0.0.1/fw.bin', 'http://'])
      assert.deepEqual(await downloadOtaImage(url, OPTS), { ok: false, reason: 'bad url' }, url);
  });

  const openssl = spawnSync('openssl', ['version']).status === 0;
  test('https: a certificate the system CAs do not trust is a tls error', { skip: !openssl && 'no openssl to make a certificate' }, async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    assert.equal(made.status, 0, String(made.stderr));
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end(buildOtaImage('FC41DAAR03A10')));
    const port = await listen(server);
    const result = await downloadOtaImage(`https://localhost:${port}/fw.bin`, { ...OPTS, resolve: () => '127.0.0.1' });
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, /^tls error [A-Z_]+$/);
  });
});

describe('fc41d ota-image', () => {
  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const proc = spawn(process.execPath, [BIN, 'ota-image', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => proc.exitCode === null && proc.signalCode === null && proc.kill());
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b));
    proc.stderr.on('data', (b: Buffer) => (stderr += b));
    return new Promise((resolve) => proc.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  test('writes an image that parses back', { timeout: 60_000 }, async () => {
    const out = join(dir, 'fw.img');
    const { code, stderr } = await run(['--version', 'FC41DAAR03A10', '--out', out]);
    assert.equal(code, 0, stderr);
    const parsed = parseOtaImage(readFileSync(out));
    assert.ok(parsed.ok);
    assert.equal(parsed.version, 'FC41DAAR03A10');
  });

  test('with a payload file', { timeout: 60_000 }, async () => {
    const payload = join(dir, 'payload.bin');
    writeFileSync(payload, Buffer.from([1, 2, 3, 0, 255]));
    const out = join(dir, 'fw2.img');
    const { code, stderr } = await run(['--version', 'V2', '--out', out, '--payload', payload]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(parseOtaImage(readFileSync(out)), { ok: true, version: 'V2', payload: Buffer.from([1, 2, 3, 0, 255]) });
  });

  test('bad input: exit 2 with one line', { timeout: 60_000 }, async () => {
    for (const args of [
      ['--version', 'FC41D A10', '--out', join(dir, 'x.img')],
      ['--version', 'V', '--out', join(dir, 'x.img'), '--payload', join(dir, 'missing.bin')],
      ['--version', 'V', '--out', join(dir, 'no-dir', 'x.img')],
    ]) {
      const { code, stderr } = await run(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /^fc41d: [^\n]+\n$/, args.join(' '));
    }
  });
});
