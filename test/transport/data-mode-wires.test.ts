/**
 * Data mode as real drivers use it, over every wire (in-process, TCP, PTY), with each line
 * ending drivers use (`\r`, `\r\n`, `\r\r`), written at once or one byte per write
 * (FIDELITY.md "Data mode and the line terminator"): the peer receives exactly the payload,
 * a CR/LF after a counted body is ignored, inline payloads are counted, the prompt form on a
 * UDP SERVICE answers the last sender, and the next command works.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { parseWorld, World } from '../../src/index.ts';
import { splitLines } from '../helpers/at-host.ts';
import { recordingPeer, WIRES, wired, writeAs, type Wired } from '../helpers/wires.ts';

const T = 10_000;
const ENDINGS = { CR: '\r', CRLF: '\r\n', CRCR: '\r\r' } as const;

let peer: Awaited<ReturnType<typeof recordingPeer>>;
before(async () => (peer = await recordingPeer()));
after(() => peer.close());

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
function sendLine(w: Wired, line: string, ending: string, bytewise: boolean): Promise<void> {
  return writeAs(w.host, line + ending, bytewise);
}

for (const kind of WIRES) {
  describe(`data mode over ${kind}`, () => {
    for (const [endingName, ending] of Object.entries(ENDINGS)) {
      for (const bytewise of [false, true]) {
        const how = `${endingName}, ${bytewise ? 'one byte per write' : 'one write'}`;
        test(`prompt send, stray CRLF after the body, inline counted JSON, close (${how})`, async () => {
          const port = peer.port;
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
            peer.clear();
            assert.deepEqual(await at(`AT+QIOPEN=0,"TCP","sink.test",${port},0,0`), ['OK']);
            await w.host.expect('\r\n+QIOPEN: 0,0\r\n', T);

            await sendLine(w, 'AT+QISEND=0,11', ending, bytewise);
            await w.host.expect('\r\n> ', T);
            // The body, then the CR/LF a Zephyr client adds after counted data.
            await writeAs(w.host, 'Hello World\r\n', bytewise);
            assert.deepEqual(splitLines(await w.host.expect('\r\nSEND OK\r\n', T)), ['SEND OK']);

            assert.deepEqual(await at('AT+QISEND=0,15,"{"a":"b","c":1}"'), ['+QISEND: 15', 'OK']);
            assert.deepEqual(await at('AT+QICLOSE=0'), ['OK']);
            await until(() => peer.received.length >= 26, 'the peer to get 26 bytes');
            assert.equal(peer.received.toString('latin1'), 'Hello World{"a":"b","c":1}');
            assert.deepEqual(splitLines(await w.host.expect('+QIURC: "closed",0\r\n', T)), ['+QIURC: "closed",0']);

            // Transparent mode: CONNECT, and the peer's first byte is the host's first data byte.
            peer.clear();
            await sendLine(w, `AT+QIOPEN=1,"TCP","sink.test",${port},0,2`, ending, bytewise);
            assert.deepEqual(splitLines(await w.host.expect('\r\nCONNECT\r\n', T)), ['CONNECT']);
            await writeAs(w.host, 'raw bytes', bytewise);
            await until(() => peer.received.length >= 9, 'the peer to get 9 bytes');
            await new Promise((r) => setTimeout(r, 80)); // the +++ guard time (50 ms here)
            w.host.write('+++');
            assert.deepEqual(splitLines(await w.host.expect('\r\nOK\r\n', T)), ['OK']);
            assert.equal(peer.received.toString('latin1'), 'raw bytes');
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

      test(`prompt form on a UDP SERVICE goes to the last sender (${endingName})`, async () => {
        const w = await wired(kind, { bootMs: 5, echo: false, world: officeWorld() });
        const udp = createSocket('udp4');
        const got: Buffer[] = [];
        udp.on('message', (m) => got.push(m));
        await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
        try {
          await sendLine(w, 'AT+QSTAAPINFO=Office', ending, false);
          await w.host.expect('+QSTASTAT:GOT_IP\r\n', T);
          await sendLine(w, 'AT+QIOPEN=2,"UDP SERVICE","127.0.0.1",0,5000,0', ending, false);
          await w.host.expect('\r\n+QIOPEN: 2,0\r\n', T);
          const at = w.module.net.info(2)?.hostEndpoint;
          assert.ok(at, 'the UDP SERVICE listens on the host');
          udp.send('ping', at.port, at.address);
          await w.host.expect('+QIURC: "recv",2\r\n', T);
          await sendLine(w, 'AT+QISEND=2,5', ending, true);
          await w.host.expect('\r\n> ', T);
          await writeAs(w.host, 'hello\r\n', false);
          await w.host.expect('\r\nSEND OK\r\n', T);
          await until(() => got.length > 0, 'the UDP peer to get the datagram');
          assert.deepEqual(got.map((b) => b.toString('latin1')), ['hello']);
          await sendLine(w, 'AT', ending, false);
          assert.deepEqual(splitLines(await w.host.expect(/\r\n(OK|ERROR)\r\n/, T)), ['OK']);
        } finally {
          udp.close();
          await w.close();
        }
      });
    }
  });
}
