/**
 * Transparent-mode throughput (§2.3.10) in both directions against a direct TCP pipe in the
 * same run: host → module → peer (upload) and peer → module → host (download), SIZE bytes
 * each way, best of ROUNDS. The module runs in its own `fc41d serve` process, as hosts use
 * it; host and peer live in this one. Target: ratio >= 0.7 of the direct pipe.
 */
import type { Socket } from 'node:net';
import { openSocket, report, server, spawnedModuleWithAddress } from './setup.ts';

const SIZE = Number(process.env.BENCH_MB ?? 16) * 1024 * 1024;
const ROUNDS = 3;
const CHUNK = 64 * 1024;
const TARGET = 0.7;
const payload = Buffer.alloc(CHUNK, 0x55);

/** Writes `size` bytes with backpressure. */
async function pump(socket: Socket, size: number): Promise<void> {
  for (let sent = 0; sent < size; sent += CHUNK) {
    if (!socket.write(payload.subarray(0, Math.min(CHUNK, size - sent)))) {
      await new Promise((r) => socket.once('drain', r));
    }
  }
}

/** Resolves when `socket` has received `size` bytes in all. */
function drain(socket: Socket, size: number): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    const onData = (b: Buffer) => {
      got += b.length;
      if (got < size) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
}

async function timed(run: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
  }
  return (SIZE / (1024 * 1024)) / (best / 1000); // MiB/s
}

export async function benchTransparent(): Promise<void> {
  const peers: Socket[] = [];
  const peerServer = await server((s) => peers.push(s));
  const bench = await spawnedModuleWithAddress();
  // Full packets, and no wait for a short rest: the last bytes of a run would otherwise wait
  // transwaittm (200 ms by default) and that wait, not the path, would be measured.
  await bench.command('AT+QICFG="transpktsize",1460');
  await bench.command('AT+QICFG="transwaittm",0');
  await bench.command(`AT+QIOPEN=0,"TCP","127.0.0.1",${peerServer.port},0,2`); // CONNECT
  const peer = await waitFor(() => peers[0]);

  const directServer = await server((s) => peers.push(s));
  const directClient = await openSocket(directServer.port);
  const directPeer = await waitFor(() => peers[1]);

  const up = await timed(() => Promise.all([pump(bench.host, SIZE), drain(peer, SIZE)]).then(() => {}));
  const upBase = await timed(() => Promise.all([pump(directClient, SIZE), drain(directPeer, SIZE)]).then(() => {}));
  const down = await timed(() => Promise.all([pump(peer, SIZE), drain(bench.host, SIZE)]).then(() => {}));
  const downBase = await timed(() => Promise.all([pump(directPeer, SIZE), drain(directClient, SIZE)]).then(() => {}));
  report('transparent upload (host -> peer)', up, upBase, 'MiB/s', TARGET);
  report('transparent download (peer -> host)', down, downBase, 'MiB/s', TARGET);

  directClient.destroy();
  for (const s of peers) s.destroy();
  peerServer.server.close();
  directServer.server.close();
  await bench.close();
}

/** Polls until a value shows up (a connection the server accepted). */
export async function waitFor<T>(get: () => T | undefined): Promise<T> {
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}
