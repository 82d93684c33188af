/**
 * Data mode as real drivers use it, over every wire (in-process, TCP, PTY), with each line
 * ending drivers use (`\r`, `\r\n`, `\r\r`), written at once or one byte per write
 * (FIDELITY.md "Data mode and the line terminator"): the peer receives exactly the payload,
 * a CR/LF after a counted body is ignored, inline payloads are counted, and the next command works.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parseWorld, World } from '../../src/index.ts';
import { splitLines } from '../helpers/at-host.ts';
import { WIRES, wired, type Wired } from '../helpers/wires.ts';

const T = 10_000;
const ENDINGS = { CR: '\r', CRLF: '\r\n', CRCR: '\r\r' } as const;

/** A TCP server that keeps what each connection sent. */
let server: ReturnType<typeof createServer>;
const received: Buffer[][] = [];
const peers: Socket[] = [];
before(async () => {
  server = createServer((s) => {
    const chunks: Buffer[] = [];
    received.push(chunks);
    peers.push(s);
    s.on('data', (b: Buffer) => chunks.push(b));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  for (const s of peers) s.destroy();
  await new Promise((r) => server.close(r));
});

function officeWorld(): World {
  return new World(parseWorld({ timeScale: 0.01, hosts: { 'sink.test': '127.0.0.1' }, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + T;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Sends a line with the given ending, at once or byte by byte. */
async function sendLine(w: Wired, line: string, ending: string, bytewise: boolean): Promise<void> {
  if (bytewise) await w.writeBytewise(line + ending);
  else w.host.write(line + ending);
}

for (const kind of WIRES) {
  describe(`data mode over ${kind}`, () => {
    for (const [endingName, ending] of Object.entries(ENDINGS)) {
      for (const bytewise of [false, true]) {
        const how = `${endingName}, ${bytewise ? 'one byte per write' : 'one write'}`;
        test(`prompt send, stray CRLF after the body, inline counted JSON, close (${how})`, async () => {
          const port = (server.address() as AddressInfo).port;
          const w = await wired(kind, {
            bootMs: 5,
            echo: false,
            world: officeWorld(),
            guardMs: 50,
          });
          try {
            const at = async (line: string) => {
              await sendLine(w, line, ending, bytewise);
              return splitLines(await w.host.expect(/\r\n(OK|ERROR|SEND OK|SEND FAIL)\r\n/, T));
            };
            // A host that ends lines with \r\r shows it on its first commands.
            assert.deepEqual(await at('AT'), ['OK']);
            assert.deepEqual(await at('AT+QSTAAPINFO=Office'), ['OK']);
            await w.host.expect('+QSTASTAT:GOT_IP\r\n', T);
            const before = received.length;
            assert.deepEqual(await at(`AT+QIOPEN=0,"TCP","sink.test",${port},0,0`), ['OK']);
            await w.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
            await until(() => received.length > before, 'the peer to accept');
            const got = received[before];

            await sendLine(w, 'AT+QISEND=0,11', ending, bytewise);
            await w.host.expect('\r\n> ', T);
            // The body, then the CR/LF a Zephyr client adds after counted data.
            if (bytewise) await w.writeBytewise('Hello World\r\n');
            else w.host.write('Hello World\r\n');
            assert.deepEqual(splitLines(await w.host.expect('\r\nSEND OK\r\n', T)), ['SEND OK']);

            assert.deepEqual(await at('AT+QISEND=0,15,"{"a":"b","c":1}"'), ['+QISEND: 15', 'OK']);
            assert.deepEqual(await at('AT+QICLOSE=0'), ['OK']);
            await until(() => Buffer.concat(got).length >= 26, 'the peer to get 26 bytes');
            assert.equal(Buffer.concat(got).toString('latin1'), 'Hello World{"a":"b","c":1}');
            assert.deepEqual(splitLines(await w.host.expect('+QIURC: "closed",0\r\n', T)), ['+QIURC: "closed",0']);

            // Transparent mode: CONNECT, and the peer's first byte is the host's first data byte.
            const before2 = received.length;
            await sendLine(w, `AT+QIOPEN=1,"TCP","sink.test",${port},0,2`, ending, bytewise);
            assert.deepEqual(splitLines(await w.host.expect('\r\nCONNECT\r\n', T)), ['CONNECT']);
            await until(() => received.length > before2, 'the peer to accept the transparent connection');
            if (bytewise) await w.writeBytewise('raw bytes');
            else w.host.write('raw bytes');
            await until(() => Buffer.concat(received[before2]).length >= 9, 'the peer to get 9 bytes');
            await new Promise((r) => setTimeout(r, 80)); // the +++ guard time (50 ms here)
            w.host.write('+++');
            assert.deepEqual(splitLines(await w.host.expect('\r\nOK\r\n', T)), ['OK']);
            assert.equal(Buffer.concat(received[before2]).toString('latin1'), 'raw bytes');
            assert.deepEqual(await at('AT+QICLOSE=1'), ['OK']);
            await w.host.expect('+QIURC: "closed",1\r\n', T);

            // Nothing glued, nothing answered twice: AT gets exactly OK.
            assert.deepEqual(await at('AT'), ['OK']);
            assert.equal(w.host.unread, '');
            assert.doesNotMatch(w.host.received, /ERROR/);
          } finally {
            await w.close();
          }
        });
      }
    }
  });
}
