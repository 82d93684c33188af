/**
 * Transparent mode over every wire (§2.3.2 access mode 2, §2.3.10, §2.3.11, §3.3.7,
 * docs/at-engine.md "Transparent mode") against a real TCP echo server: `CONNECT`, bytes both
 * ways unchanged, `+++` only with a guard time of silence around it, `ATO` resumes with what
 * the peer sent meanwhile, and the peer closing gives `NO CARRIER`. In-process the guard time
 * is the manual's 1000 ms on a fake clock, measured exactly; elsewhere a short one in real time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recordingPeer, WIRES, type Wired } from '../helpers/wires.ts';
import { at, join, officeWorld, T, until, withModule } from './setup.ts';

/** `transwaittm` (AT+QICFG, §2.3.1) default 2: the host's bytes go out after 200 ms of silence. */
const TRANSWAIT_MS = 200;

type Peer = Awaited<ReturnType<typeof recordingPeer>>;

/** A module with an address, in transparent mode on socket 0 to an echo server. */
async function connected(w: Wired, peer: Peer): Promise<void> {
  await join(w);
  w.host.send(`AT+QIOPEN=0,"TCP","echo.test",${peer.port},0,2`);
  assert.equal(await w.host.expect('\r\nCONNECT\r\n', T), '\r\nCONNECT\r\n');
  await until(() => peer.sockets.length === 1, 'the echo server to accept');
}

/** Host bytes reach the peer: after the transparent-mode wait (fake clock: advanced by hand). */
async function sent(w: Wired, peer: Peer, n: number): Promise<void> {
  if (w.clock) await w.pause(TRANSWAIT_MS);
  await until(() => peer.received.length >= n, `the peer to get ${n} bytes`);
}

async function withEcho(kind: (typeof WIRES)[number], body: (w: Wired, peer: Peer) => Promise<void>): Promise<void> {
  const peer = await recordingPeer({ echo: true });
  try {
    await withModule(kind, { world: officeWorld({ 'echo.test': '127.0.0.1' }) }, (w) => body(w, peer));
  } finally {
    await peer.close();
  }
}

for (const kind of WIRES) {
  describe(`transparent mode over ${kind}`, { concurrency: true }, () => {
    test('CONNECT, bytes both ways, +++ → OK, ATO resumes with what came meanwhile, +++, AT+QICLOSE', () =>
      withEcho(kind, async (w, peer) => {
        await connected(w, peer);
        const data = 'all 256 bytes: ' + Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('latin1');
        w.host.write(Buffer.from(data, 'latin1'));
        await sent(w, peer, data.length);
        assert.equal(await w.host.expect(data.slice(-20), T), data, 'the echo comes back unchanged, nothing around it');
        assert.equal(peer.received.toString('latin1'), data, 'the peer got exactly the bytes, no terminator');

        await w.pause(w.guardMs);
        w.host.write('+++');
        if (w.clock) {
          await w.pause(w.guardMs - 1);
          assert.equal(w.host.unread, '', 'no OK before a whole guard time after the last +');
        }
        await w.pause(w.clock ? 1 : w.guardMs);
        assert.equal(await w.host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
        const [state, final] = await at(w, 'AT+QISTATE=0');
        // <local_port> 0 asked for any port: the one the socket got. Access mode 2 still.
        assert.match(state, new RegExp(`^\\+QISTATE: 0,"TCP","127\\.0\\.0\\.1",${peer.port},[1-9]\\d*,2$`));
        assert.equal(final, 'OK');

        // What the peer sends in command mode waits for ATO.
        peer.sockets[0].write('while away');
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(w.host.unread, '', 'nothing reaches the host in command mode');
        w.host.send('ATO');
        assert.equal(await w.host.expect('while away', T), '\r\nCONNECT\r\nwhile away');
        w.host.write('again');
        await sent(w, peer, data.length + 5);
        assert.equal(await w.host.expect('again', T), 'again');

        await w.pause(w.guardMs);
        w.host.write('+++');
        await w.pause(w.guardMs);
        assert.equal(await w.host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
        assert.deepEqual(await at(w, 'AT+QICLOSE=0'), ['OK']);
        await w.host.expect('\r\n+QIURC: "closed",0\r\n', T);
        assert.deepEqual(await at(w, 'ATO'), ['NO CARRIER']);
      }));

    test('+++ without silence before it, or with a byte after it, is data', () =>
      withEcho(kind, async (w, peer) => {
        await connected(w, peer);
        // Right after other bytes: data, echoed back by the server.
        w.host.write('x+++');
        await w.pause(w.guardMs);
        await sent(w, peer, 4);
        assert.equal(await w.host.expect('x+++', T), 'x+++');
        // Silence before, but a byte right after: data too.
        await w.pause(w.guardMs);
        w.host.write('+++y');
        await w.pause(w.guardMs);
        await sent(w, peer, 8);
        assert.equal(await w.host.expect('+++y', T), '+++y');
        assert.equal(peer.received.toString('latin1'), 'x++++++y');
        if (w.clock) {
          // In a write of its own, but 1 ms short of the guard time after the last data: data.
          await w.pause(w.guardMs);
          w.host.write('z');
          await w.pause(w.guardMs - 1);
          w.host.write('+++');
          await w.pause(w.guardMs);
          await sent(w, peer, 12);
          assert.equal(await w.host.expect('z+++', T), 'z+++');
        }
        // A real escape still works afterwards.
        await w.pause(w.guardMs);
        w.host.write('+++');
        await w.pause(w.guardMs);
        assert.equal(await w.host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
        assert.deepEqual(await at(w, 'AT'), ['OK']);
      }));

    test('the peer closing in transparent mode gives NO CARRIER, and the module is back in command mode', () =>
      withEcho(kind, async (w, peer) => {
        await connected(w, peer);
        w.host.write('x');
        await sent(w, peer, 1);
        assert.equal(await w.host.expect('x', T), 'x');
        peer.sockets[0].end('bye');
        assert.equal(await w.host.expect('\r\nNO CARRIER\r\n', T), 'bye\r\nNO CARRIER\r\n');
        assert.deepEqual(await at(w, 'AT'), ['OK']);
        assert.deepEqual(await at(w, 'ATO'), ['NO CARRIER']);
        assert.deepEqual(await at(w, 'AT+QICLOSE=0'), ['OK']);
      }));
  });
}
