/**
 * Data mode as real drivers use it, over every wire (in-process, TCP, PTY), with each line
 * ending drivers use (`\r`, `\r\n`, `\r\r`), written at once or one byte per write
 * (FIDELITY.md "Data mode and the line terminator"): the peer receives exactly the payload,
 * a CR/LF after a counted body is ignored, inline payloads are counted (CR, LF, quotes and
 * commas inside), the prompt form takes exactly `<len>` bytes and reads the rest as the next
 * line, the body is never echoed, the prompt form on a UDP SERVICE answers the last sender, and
 * the next command works. (Was test/transport/data-mode-wires.test.ts.)
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, test } from 'node:test';
import { splitLines } from '../helpers/at-host.ts';
import { recordingPeer, WIRES, writeAs, type Wired } from '../helpers/wires.ts';
import { at, join, officeWorld, start, T, until, withModule, WLMAC } from './setup.ts';

const ENDINGS = { CR: '\r', CRLF: '\r\n', CRCR: '\r\r' } as const;

type Peer = Awaited<ReturnType<typeof recordingPeer>>;

/** Runs `body` with a peer of its own (the tests of a wire run at once), closing it afterwards. */
async function withPeer(body: (peer: Peer) => Promise<void>): Promise<void> {
  const peer = await recordingPeer();
  try {
    await body(peer);
  } finally {
    await peer.close();
  }
}

/** Sends a line with the given ending, at once or byte by byte. */
function sendLine(w: Wired, line: string, ending: string, bytewise: boolean): Promise<void> {
  return writeAs(w.host, line + ending, bytewise);
}

/** `+++` with a guard time of silence before and after (§2.3.11). */
async function escape(w: Wired): Promise<void> {
  await w.pause(w.guardMs);
  w.host.write('+++');
  await w.pause(w.guardMs);
}

/** Transparent mode sends what the host typed after `transwaittm` × 100 ms of silence (default 2). */
const TRANSWAIT_MS = 200;

/** A module with an address and socket `id` open to the recording peer (buffer mode). */
async function openToPeer(w: Wired, peer: Peer, id = 0): Promise<void> {
  await join(w);
  assert.deepEqual(await at(w, `AT+QIOPEN=${id},"TCP","sink.test",${peer.port},0,0`), ['OK']);
  await w.host.expect(`\r\n+QIOPEN: ${id},0\r\n`, T);
}

const sinkWorld = () => officeWorld({ 'sink.test': '127.0.0.1' });

for (const kind of WIRES) {
  // The tests of a wire run at once: most of their time is spent waiting (guard times, radio).
  describe(`data mode over ${kind}`, { concurrency: true }, () => {
    for (const [endingName, ending] of Object.entries(ENDINGS)) {
      for (const bytewise of [false, true]) {
        const how = `${endingName}, ${bytewise ? 'one byte per write' : 'one write'}`;
        test(`prompt send, stray CRLF after the body, inline counted JSON, close (${how})`, async () => {
          const peer = await recordingPeer();
          const port = peer.port;
          const w = await start(kind, { world: sinkWorld() });
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
            if (w.clock) await w.pause(TRANSWAIT_MS);
            await until(() => peer.received.length >= 9, 'the peer to get 9 bytes');
            await escape(w);
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
            await peer.close();
          }
        });
      }

      test(`prompt form on a UDP SERVICE goes to the last sender (${endingName})`, async () => {
        const w = await start(kind);
        const udp = createSocket('udp4');
        const got: Buffer[] = [];
        udp.on('message', (m) => got.push(m));
        await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
        try {
          await sendLine(w, 'AT+QSTAAPINFO=Office', ending, false);
          await w.host.expect('+QSTASTAT:GOT_IP\r\n', T);
          // A module port that is free on this host is also the service's port on the host.
          const port = await freeUdpPort();
          await sendLine(w, `AT+QIOPEN=2,"UDP SERVICE","127.0.0.1",0,${port},0`, ending, false);
          await w.host.expect('\r\n+QIOPEN: 2,0\r\n', T);
          await sendLine(w, 'AT+QISTATE=2', ending, false);
          const state = splitLines(await w.host.expect(/\r\n(OK|ERROR)\r\n/, T));
          assert.match(state[0], new RegExp(`^\\+QISTATE: 2,"UDP SERVICE","[^"]*",0,${port},`), 'the UDP SERVICE listens on the host');
          udp.send('ping', port, '127.0.0.1');
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

    test('the prompt form takes exactly <len> bytes, also those sent with the command; the rest is the next line', () =>
      withPeer((peer) => withModule(kind, { world: sinkWorld() }, async (w) => {
        await openToPeer(w, peer);
        peer.clear();
        w.host.write('AT+QISEND=0,5\r');
        assert.equal(await w.host.expect('\r\n> ', T), '\r\n> ');
        w.host.write('helloAT+QWLMAC\r');
        assert.equal(await w.host.expect(`\r\n${WLMAC}\r\n\r\nOK\r\n`, T), `\r\nSEND OK\r\n\r\n${WLMAC}\r\n\r\nOK\r\n`);
        // The body in the command's own write: bytes before the prompt are the start of the data.
        w.host.write('AT+QISEND=0,3\r\nabc');
        assert.equal(await w.host.expect('\r\nSEND OK\r\n', T), '\r\n> \r\nSEND OK\r\n');
        await until(() => peer.received.length >= 8, 'the peer to get 8 bytes');
        assert.equal(peer.received.toString('latin1'), 'helloabc');
        assert.deepEqual(await at(w, 'AT+QISEND=0,0'), ['+QISEND: 8,8,0', 'OK']);
      })));

    test('a counted inline payload is taken by its length: CR, LF, quotes, commas and `;` inside', () =>
      withPeer((peer) => withModule(kind, { world: sinkWorld() }, async (w) => {
        await openToPeer(w, peer);
        peer.clear();
        const payload = 'a\r\n"b",c;\rAT\r\n"';
        w.host.write(`AT+QISEND=0,${payload.length},"${payload}"\r\n`);
        assert.equal(await w.host.expect(/\r\n(OK|ERROR)\r\n/, T), `\r\n+QISEND: ${payload.length}\r\n\r\nOK\r\n`);
        await until(() => peer.received.length >= payload.length, `the peer to get ${payload.length} bytes`);
        assert.equal(peer.received.toString('latin1'), payload);
        // One byte too few before the closing quote: ERROR, nothing sent, and the next line works.
        w.host.write('AT+QISEND=0,2,"abc"\r');
        assert.equal(await w.host.expect(/\r\n(OK|ERROR)\r\n/, T), '\r\nERROR\r\n');
        assert.deepEqual(await at(w, 'AT+QWLMAC'), [WLMAC, 'OK']);
        assert.equal(peer.received.toString('latin1'), payload);
      })));

    test('with echo on, the command is echoed but the body never is', () =>
      withPeer((peer) => withModule(kind, { world: sinkWorld() }, async (w) => {
        await openToPeer(w, peer);
        assert.deepEqual(await at(w, 'ATE1'), ['OK']);
        w.host.write('AT+QISEND=0,4\r');
        assert.equal(await w.host.expect('\r\n> ', T), 'AT+QISEND=0,4\r\r\n> ');
        w.host.write('data');
        assert.equal(await w.host.expect('\r\nSEND OK\r\n', T), '\r\nSEND OK\r\n');
        w.host.write('AT\r');
        assert.equal(await w.host.expect('\r\nOK\r\n', T), 'AT\r\r\nOK\r\n');
      })));
  });
}

/** A UDP port nobody on this host uses right now. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
