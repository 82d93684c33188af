/**
 * Transparent-mode throughput (§2.3.10) in both directions against a direct TCP pipe in the
 * same run: host → module → peer (upload) and peer → module → host (download), SIZE bytes
 * each way, the best of ROUNDS alternating rounds. The module runs in its own `fc41d serve` process, as hosts use
 * it; host and peer live in this one. Target: ratio >= 0.7 of the direct pipe.
 */
import type { Socket } from 'node:net';
import { relayTo } from './relay.ts';
import { openSocket, received, report, server, spawnedModuleWithAddress } from './setup.ts';

const SIZE = Number(process.env.BENCH_MB ?? 64) * 1024 * 1024;
const ROUNDS = 5;
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

/** MiB/s of one run. */
async function rate(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return SIZE / (1024 * 1024) / ((performance.now() - t0) / 1000);
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

  const directClient = await openSocket(peerServer.port);
  const directPeer = await waitFor(() => peers[1]);
  const relay = await relayTo(peerServer.port);
  const relayPeer = await waitFor(() => peers[2]);

  // Rounds alternate between the paths so that load changes hit all alike; the best of each counts.
  const paths = {
    up: { module: [bench.host, peer], direct: [directClient, directPeer], relay: [relay.host, relayPeer] },
    down: { module: [peer, bench.host], direct: [directPeer, directClient], relay: [relayPeer, relay.host] },
  } as const;
  const rates = { up: { module: 0, direct: 0, relay: 0 }, down: { module: 0, direct: 0, relay: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const dir of ['up', 'down'] as const) {
      for (const path of ['module', 'direct', 'relay'] as const) {
        const [from, to] = paths[dir][path];
        rates[dir][path] = Math.max(rates[dir][path], await rate(() => Promise.all([pump(from, SIZE), received(to, SIZE)]).then(() => {})));
      }
    }
  }
  for (const [dir, r] of Object.entries(rates)) {
    const what = dir === 'up' ? 'transparent upload (host -> peer)' : 'transparent download (peer -> host)';
    report(what, r.module, r.direct, 'MiB/s', { target: TARGET });
    report('  a minimal relay process in the middle instead', r.relay, r.direct, 'MiB/s');
    report('  the module against that relay', r.module, r.relay, 'MiB/s', { base: 'relay' });
  }

  directClient.destroy();
  relay.close();
  for (const s of peers) s.destroy();
  peerServer.server.close();
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
