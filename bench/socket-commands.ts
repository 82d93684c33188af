/**
 * AT+QISEND / AT+QIRD throughput (§2.3.4, §2.3.5) in buffer mode against a direct TCP pipe
 * doing the same request/response exchanges in the same process and run: each QISEND of
 * 1460 bytes (text) waits for its OK, as a host does; the baseline writes 1460 bytes and
 * waits for a 1-byte ack. QIRD reads 1500 bytes per command; the baseline asks for 1500
 * bytes with a 1-byte request and waits for them. No target: the figures show what the AT
 * framing costs over a wire.
 */
import type { Socket } from 'node:net';
import { moduleWithAddress, openSocket, received, report, server, until } from './setup.ts';
import { waitFor } from './transparent.ts';

const TOTAL = Number(process.env.BENCH_KB ?? 2048) * 1024;
const SEND = 1460;
const READ = 1500;
const text = 'x'.repeat(SEND);

export async function benchSocketCommands(): Promise<void> {
  const peers: Socket[] = [];
  const sink = await server((s) => peers.push(s));
  const bench = await moduleWithAddress();
  await bench.command(`AT+QIOPEN=0,"TCP","127.0.0.1",${sink.port},0,0`);
  await until(bench.host, '+QIOPEN: 0,0');
  const peer = await waitFor(() => peers[0]);

  // Upload: QISEND with OK per command.
  const allArrived = received(peer, TOTAL);
  let t0 = performance.now();
  for (let sent = 0; sent < TOTAL; sent += SEND) await bench.command(`AT+QISEND=0,${SEND},"${text}"`);
  await allArrived;
  const sendRate = TOTAL / 1024 / ((performance.now() - t0) / 1000);

  // Download: the peer sends, the host reads with QIRD until it has it all.
  peer.write(Buffer.alloc(TOTAL, 0x61));
  await until(bench.host, '+QIURC: "recv",0');
  t0 = performance.now();
  let got = 0;
  while (got < TOTAL) {
    const answer = await bench.command(`AT+QIRD=0,${READ}`);
    const n = Number(/\+QIRD:(\d+)/.exec(answer)?.[1] ?? 0);
    got += n;
    if (n === 0) await new Promise((r) => setTimeout(r, 1));
  }
  const readRate = TOTAL / 1024 / ((performance.now() - t0) / 1000);

  // The direct pipe: the same exchanges without AT.
  let mode: 'up' | 'down' = 'up';
  const direct = await server((s) => {
    peers.push(s);
    let pending = 0;
    s.on('data', (b: Buffer) => {
      pending += b.length;
      // Upload phase: ack every SEND bytes; download phase: a 1-byte request asks for READ bytes.
      if (mode === 'up') for (; pending >= SEND; pending -= SEND) s.write('k');
      if (mode === 'down') for (; pending > 0; pending--) s.write(Buffer.alloc(READ, 0x61));
    });
  });
  const client = await openSocket(direct.port);
  const chunk = Buffer.from(text);
  t0 = performance.now();
  for (let sent = 0; sent < TOTAL; sent += SEND) {
    const ack = received(client, 1);
    client.write(chunk);
    await ack;
  }
  const sendBase = TOTAL / 1024 / ((performance.now() - t0) / 1000);
  mode = 'down';
  t0 = performance.now();
  for (let read = 0; read < TOTAL; read += READ) {
    const answer = received(client, READ);
    client.write('r');
    await answer;
  }
  const readBase = TOTAL / 1024 / ((performance.now() - t0) / 1000);

  report('AT+QISEND 1460-byte text (upload)', sendRate, sendBase, 'KiB/s');
  report('AT+QIRD 1500-byte reads (download)', readRate, readBase, 'KiB/s');

  client.destroy();
  for (const s of peers) s.destroy();
  sink.server.close();
  direct.server.close();
  await bench.close();
}
