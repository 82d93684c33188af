// Flow control through the module (docs/tcpip.md "Flow control", §2.3.10): in transparent
// mode neither direction may buffer without bound. A host that does not read makes the module
// stop reading its socket, so TCP pushes back on the peer; a peer that does not read makes the
// module hold the host (the UART's RTS: the in-process stream's write callbacks wait). Then
// direct push (§3.3.2): with URCs off (AT+QURCCFG=0) the data waits for AT+QIRD; data that
// waited while a command ran is pushed afterwards, in order.
//
// Byte counts, not memory use, are the criteria. Timeouts are generous: these run on loaded
// 2-core machines. The kernels' socket buffers take some of the 8 MiB (about 4 MiB on Linux
// with the default tcp_wmem maximum); the rest must wait where it came from.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { connectedModule, T, tcpEcho } from './helpers.ts';
import { tcpip } from '../../src/tcpip/feature.ts';

const MiB = 1024 * 1024;
const TOTAL = 8 * MiB;
const CHUNK = 64 * 1024;
/** The module's receive buffer per socket (DEFAULT_RECV_BUFFER_BYTES). */
const RECV_CAPACITY = 64 * 1024;
const LONG = 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Passes when `got` is `want`; otherwise says where they part and where that part came from. */
function assertSameBytes(got: Buffer, want: Buffer, what: string): void {
  if (got.length === want.length && createHash('sha256').update(got).digest('hex') === createHash('sha256').update(want).digest('hex')) return;
  let at = 0;
  while (at < got.length && at < want.length && got[at] === want[at]) at++;
  const from = at < got.length ? want.indexOf(got.subarray(at, at + 64)) : -1;
  assert.fail(
    `${what}: ${got.length} bytes received, ${want.length} sent; they differ from offset ${at}` +
      (from >= 0 ? `, where the sent bytes from offset ${from} arrived (reordered)` : ''),
  );
}

/** A TCP server whose connections the test drives itself (nothing is read unless asked). */
async function peerServer(opts: { pauseOnConnect?: boolean } = {}): Promise<{ port: number; next(): Promise<Socket>; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  let waiter: ((s: Socket) => void) | null = null;
  const server: Server = createServer({ pauseOnConnect: opts.pauseOnConnect ?? false }, (s) => {
    s.on('error', () => {});
    sockets.push(s);
    waiter?.(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    next: () =>
      sockets.length > 0
        ? Promise.resolve(sockets[0])
        : new Promise<Socket>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no connection came')), T);
            waiter = (s) => {
              clearTimeout(timer);
              resolve(s);
            };
          }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Polls `value` until it has not changed for `stableMs` (or `timeoutMs` passed), calling
 * `sample` each time; returns the last value.
 */
async function settle(value: () => number, sample: () => void, stableMs = 1500, timeoutMs = LONG): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(50);
    sample();
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) break;
  }
  return last;
}

async function until(what: string, ok: () => boolean, sample: () => void = () => {}, timeoutMs = LONG): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    sample();
    await sleep(20);
  }
}

test('download: a host that does not read makes TCP push back on the peer; then 8 MiB arrive unchanged', { timeout: 3 * LONG }, async () => {
  const peer = await peerServer();
  const m = await connectedModule();
  try {
    m.host.send(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    const socket = await peer.next();
    assert.equal(m.host.unread, '', 'nothing after CONNECT yet');

    // The host stops reading its end of the UART: nothing is taken from the stream.
    m.stream.pause();
    const received: Buffer[] = [];
    let got = 0;
    m.stream.on('data', (chunk: Buffer) => {
      received.push(chunk);
      got += chunk.length;
    });
    assert.equal(m.stream.readableFlowing, false, 'a data listener does not resume an explicitly paused stream');

    const data = randomBytes(TOTAL);
    for (let i = 0; i < TOTAL; i += CHUNK) socket.write(data.subarray(i, i + CHUNK));

    let maxUnread = 0;
    let maxHeld = 0;
    const sample = () => {
      maxUnread = Math.max(maxUnread, m.module.service(tcpip).net.unread(0));
      maxHeld = Math.max(maxHeld, m.stream.readableLength);
    };
    // Wait until the peer's writes have stalled: what it still holds stops shrinking.
    const stalled = await settle(() => socket.writableLength, sample);
    sample();
    assert.equal(got, 0, 'the paused host read nothing');
    assert.ok(stalled > 1 * MiB, `the peer's writes stall (${stalled} bytes still queued at the peer), TCP pushes back`);
    assert.ok(maxUnread <= RECV_CAPACITY, `the module's receive buffer stays within its capacity (max ${maxUnread})`);
    assert.ok(m.module.service(tcpip).net.unread(0) > 0, 'the receive buffer holds what the host has not taken');
    assert.ok(maxHeld <= 256 * 1024, `the module does not pile bytes into the host's stream (max ${maxHeld} waiting there)`);

    // The host reads again: everything arrives, in order, unchanged.
    m.stream.resume();
    await until(`the host got ${TOTAL} bytes (has ${got})`, () => got >= TOTAL, sample);
    await sleep(100);
    assertSameBytes(Buffer.concat(received), data, 'the host gets the 8 MiB in order, unchanged');
    assert.ok(maxUnread <= RECV_CAPACITY, `the receive buffer never exceeded its capacity (max ${maxUnread})`);
    assert.equal(socket.writableLength, 0, 'the peer has sent everything');
    assert.equal(m.module.service(tcpip).net.unread(0), 0);
    assert.deepEqual(m.module.service(tcpip).net.recvCounters(0), { total: TOTAL, read: TOTAL, unread: 0 });
  } finally {
    m.close();
    await peer.close();
  }
});

test('upload: a peer that does not read makes the module hold the host; then 8 MiB arrive unchanged', { timeout: 3 * LONG }, async () => {
  const peer = await peerServer({ pauseOnConnect: true });
  const m = await connectedModule();
  try {
    m.host.send(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    const socket = await peer.next(); // paused: the peer reads nothing

    const data = randomBytes(TOTAL);
    let done = 0; // bytes whose write callback completed: taken by the module
    let refused = 0; // writes that returned false
    for (let i = 0; i < TOTAL; i += CHUNK) {
      const part = data.subarray(i, i + CHUNK);
      if (!m.stream.write(part, (error) => !error && (done += part.length))) refused++;
    }

    let maxUnacked = 0;
    const sample = () => (maxUnacked = Math.max(maxUnacked, m.module.service(tcpip).net.sendCounters(0)?.unacked ?? 0));
    // Wait until the host is held: what waits in its stream stops shrinking.
    const held = await settle(() => m.stream.writableLength, sample);
    sample();
    assert.ok(refused > 0, 'stream.write() returns false: the host must wait');
    assert.ok(held > 1 * MiB, `the module holds the host (${held} bytes waiting in the host's stream)`);
    assert.ok(done < TOTAL - 1 * MiB, `write callbacks stop completing (${done} bytes taken)`);
    const before = done;
    await sleep(500);
    assert.equal(done, before, 'no write callback completes while the peer does not read');
    assert.ok(maxUnacked <= 1 * MiB, `the bytes waiting in the module's socket stay bounded (max ${maxUnacked})`);

    // The peer reads: everything arrives, in order, unchanged, and every write completes.
    const received: Buffer[] = [];
    let got = 0;
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      got += chunk.length;
    });
    socket.resume();
    await until(`the peer got ${TOTAL} bytes (has ${got})`, () => got >= TOTAL, sample);
    await until('every write callback completed', () => done === TOTAL);
    await sleep(100);
    assertSameBytes(Buffer.concat(received), data, 'the peer gets the 8 MiB in order, unchanged');
    assert.equal(m.stream.writableLength, 0);
    assert.ok(maxUnacked <= 1 * MiB, `the module's socket backlog stayed bounded (max ${maxUnacked})`);
    assert.deepEqual(m.module.service(tcpip).net.sendCounters(0), { total: TOTAL, acked: TOTAL, unacked: 0 });
  } finally {
    m.close();
    await peer.close();
  }
});

test('direct push with URCs off (AT+QURCCFG=0): the data stays in the buffer and AT+QIRD reads it', { timeout: LONG }, async () => {
  const echo = await tcpEcho();
  const m = await connectedModule();
  try {
    assert.deepEqual(await m.at('AT+QURCCFG=0'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${echo.port},0,1`), { lines: [], final: 'OK' });
    // No +QIOPEN URC either: the host asks for the state.
    let state = '';
    for (const deadline = Date.now() + T; !state.endsWith(',2') && Date.now() < deadline; await sleep(20)) {
      state = (await m.at('AT+QISTATE=0')).lines[0] ?? '';
    }
    assert.match(state, /^\+QISTATE: 0,"TCP","127\.0\.0\.1",\d+,\d+,2$/);

    const read = async (n: number) => {
      m.host.send(`AT+QIRD=0,${n}`);
      return m.host.expect(/\r\n(OK|ERROR)\r\n/, T);
    };
    const counters = async () => (await m.at('AT+QIRD=0,0')).lines[0];

    assert.deepEqual(await m.at('AT+QISEND=0,10,"1234567890"'), { lines: ['+QISEND: 10'], final: 'OK' });
    let c = '';
    for (const deadline = Date.now() + T; c !== '+QIRD:10,0,10' && Date.now() < deadline; await sleep(20)) c = await counters();
    assert.equal(c, '+QIRD:10,0,10', 'the echo is in the buffer, unread');
    assert.equal(await m.host.collect(300), '', 'no URC, no pushed data');
    assert.equal(await read(10), '\r\n+QIRD:10\r\n\r\n1234567890\r\n\r\nOK\r\n');
    assert.equal(await counters(), '+QIRD:10,10,0');
    assert.equal(await read(10), '\r\n+QIRD:0\r\n\r\nOK\r\n');

    // More than one push's worth (1500 bytes): read back in pieces, nothing pushed meanwhile.
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(100).slice(0, 1460);
    for (let i = 0; i < 3; i++) assert.equal((await m.at(`AT+QISEND=0,1460,"${text}"`)).final, 'OK');
    for (const deadline = Date.now() + T; c !== '+QIRD:4390,10,4380' && Date.now() < deadline; await sleep(20)) c = await counters();
    assert.equal(c, '+QIRD:4390,10,4380');
    assert.equal(await m.host.collect(300), '', 'no URC, no pushed data');
    let back = '';
    for (;;) {
      const answer = await read(1000);
      const head = /^\r\n\+QIRD:(\d+)\r\n/.exec(answer);
      assert.ok(head, answer);
      if (head[1] === '0') break;
      const body = /^\r\n\+QIRD:\d+\r\n\r\n([^]*)\r\n\r\nOK\r\n$/.exec(answer);
      assert.ok(body && body[1].length === Number(head[1]), answer);
      back += body[1];
    }
    assert.equal(back, text.repeat(3));
    assert.equal(await counters(), '+QIRD:4390,4390,0');
    assert.equal(m.host.unread, '');
  } finally {
    m.close();
    await echo.close();
  }
});

test('direct push: data that came while a command ran is pushed afterwards, in order', { timeout: LONG }, async () => {
  const peer = await peerServer();
  const m = await connectedModule();
  try {
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,1`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    const socket = await peer.next();
    // A command runs: the prompt form of AT+QISEND waits for its 5 bytes.
    m.host.send('AT+QISEND=0,5');
    await m.host.expect('> ', T);
    // Meanwhile the peer sends 512 KiB (printable, so the URCs are easy to cut): more than the
    // module's buffer, so the rest waits in TCP.
    const data = Buffer.from(randomBytes(256 * 1024).toString('hex'), 'latin1');
    socket.write(data);
    await until('the module buffer is full', () => m.module.service(tcpip).net.unread(0) >= RECV_CAPACITY, () => {}, T);
    assert.equal(m.host.unread, '', 'nothing is pushed while the command runs');
    m.host.write('hello');
    await m.host.expect('\r\nSEND OK\r\n', T);
    // Now everything is pushed, at most 1500 bytes per URC, and nothing else comes.
    let back = Buffer.alloc(0);
    const pushed: number[] = [];
    const deadline = Date.now() + LONG;
    while (back.length < data.length && Date.now() < deadline) {
      const text = await m.host.expect(/\r\n\+QIURC: "recv",0,(\d+)\r\n/, T);
      const n = Number(/"recv",0,(\d+)\r\n$/.exec(text)![1]);
      assert.ok(text.startsWith('\r\n+QIURC'), `only URCs: ${JSON.stringify(text.slice(0, 80))}`);
      assert.ok(n >= 1 && n <= 1500, `${n} bytes in one URC`);
      const body = await m.host.expect(new RegExp(`^[^]{${n}}\r\n`), T);
      back = Buffer.concat([back, Buffer.from(body.slice(0, n), 'latin1')]);
      pushed.push(n);
    }
    assertSameBytes(back, data, `${pushed.length} direct-push URCs carry the peer's bytes in order`);
    assert.equal(await m.host.collect(200), '');
  } finally {
    m.close();
    await peer.close();
  }
});
