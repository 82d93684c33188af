/**
 * URC hold-back over every wire (FIDELITY.md "Framing", docs/at-engine.md "Responses and URCs"):
 * a URC raised while a command runs — while its line is being answered, while data mode waits
 * for the body, while transparent mode owns the line — goes out after that command's final
 * result, whole, never inside the response.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recordingPeer, WIRES, type Wired } from '../helpers/wires.ts';
import { at, join, officeWorld, T, until, VERSION, withModule, WLMAC } from './setup.ts';

type Peer = Awaited<ReturnType<typeof recordingPeer>>;

/** A URC raised by the module the moment it starts running `line` (the `line` event). */
function raiseDuring(w: Wired, line: string, urc: string): void {
  const onLine = (text: string) => {
    if (text !== line) return;
    w.module.off('line', onLine);
    w.module.urc(urc);
  };
  w.module.on('line', onLine);
}

async function withPeer(kind: (typeof WIRES)[number], body: (w: Wired, peer: Peer) => Promise<void>): Promise<void> {
  const peer = await recordingPeer();
  try {
    await withModule(kind, { world: officeWorld({ 'peer.test': '127.0.0.1' }) }, (w) => body(w, peer));
  } finally {
    await peer.close();
  }
}

/** Opens socket `id` to the peer in buffer mode, and waits for the peer to accept it. */
async function open(w: Wired, peer: Peer, id: number, mode = 0): Promise<void> {
  const before = peer.sockets.length;
  w.host.send(`AT+QIOPEN=${id},"TCP","peer.test",${peer.port},0,${mode}`);
  await w.host.expect(mode === 2 ? '\r\nCONNECT\r\n' : `\r\n+QIOPEN: ${id},0\r\n`, T);
  await until(() => peer.sockets.length > before, 'the peer to accept');
}

for (const kind of WIRES) {
  describe(`URC hold-back over ${kind}`, { concurrency: true }, () => {
    test("a URC raised as a chained line starts comes after the line's one final result", () =>
      withModule(kind, {}, async (w) => {
        raiseDuring(w, 'AT+QVERSION;+QWLMAC', '+QIURC: "closed",11');
        w.host.send('AT+QVERSION;+QWLMAC');
        const said = await w.host.expect('+QIURC: "closed",11\r\n', T);
        assert.equal(said, `\r\n${VERSION}\r\n\r\n${WLMAC}\r\n\r\nOK\r\n\r\n+QIURC: "closed",11\r\n`);
        assert.deepEqual(await at(w, 'AT'), ['OK']);
      }));

    test('a URC raised while the prompt waits for the body comes after SEND OK', () =>
      withPeer(kind, async (w, peer) => {
        await join(w);
        await open(w, peer, 0);
        raiseDuring(w, 'AT+QISEND=0,5', '+QIURC: "closed",11');
        w.host.send('AT+QISEND=0,5');
        await w.host.expect('\r\n> ', T);
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(w.host.unread, '', 'nothing while the body is awaited');
        w.host.write('hello');
        assert.equal(await w.host.expect('+QIURC: "closed",11\r\n', T), '\r\nSEND OK\r\n\r\n+QIURC: "closed",11\r\n');
      }));

    test("the network's URCs wait for the prompt's SEND OK: data and a close from the peer", () =>
      withPeer(kind, async (w, peer) => {
        await join(w);
        await open(w, peer, 0);
        await open(w, peer, 1);
        w.host.send('AT+QISEND=0,5');
        await w.host.expect('\r\n> ', T);
        // Both while the module waits for the body: data on socket 0, socket 1 closed by the peer.
        peer.sockets[0].write('incoming');
        peer.sockets[1].destroy();
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(w.host.unread, '', 'nothing while the body is awaited');
        w.host.write('hello');
        // SEND OK first; then both URCs, whole, in either order (the read may wait for the line to be free).
        const recv = '\r\n+QIURC: "recv",0\r\n';
        const closed = '\r\n+QIURC: "closed",1\r\n';
        assert.equal(await w.host.expect('\r\nSEND OK\r\n', T), '\r\nSEND OK\r\n');
        const urcs = await w.host.expect(/(\r\n\+QIURC: [^\r]*\r\n){2}/, T);
        assert.ok(urcs === recv + closed || urcs === closed + recv, JSON.stringify(urcs));
        assert.deepEqual(await at(w, 'AT'), ['OK']);
        assert.equal(w.host.unread, '');
      }));

    test('a URC raised in transparent mode comes after the OK of +++', () =>
      withPeer(kind, async (w, peer) => {
        await join(w);
        await open(w, peer, 1);
        await open(w, peer, 0, 2);
        peer.sockets[0].destroy(); // socket 1's peer: opened first
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(w.host.unread, '', 'nothing but the connection’s own bytes in transparent mode');
        await w.pause(w.guardMs);
        w.host.write('+++');
        await w.pause(w.guardMs);
        assert.equal(await w.host.expect('+QIURC: "closed",1\r\n', T), '\r\nOK\r\n\r\n+QIURC: "closed",1\r\n');
        assert.deepEqual(await at(w, 'AT+QICLOSE=0'), ['OK']);
      }));
  });
}
