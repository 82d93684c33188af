/**
 * `fc41d serve --pace` at 115200 baud under a flood: a peer tries to push 64 MiB through a
 * transparent-mode connection (§2.3.10) for a few seconds while the host reads what the paced
 * UART carries (11520 bytes/s). Against a trickle in the same run (the peer sends a little less
 * than the line rate), alternating rounds, each with a fresh `fc41d serve` process:
 * - peak RSS growth of the emulator process: flat under the flood, as under the trickle;
 * - time from the peer's first byte to the host's first byte (the pacer's first tick);
 * - the host's measured rate under the flood against the line rate: the error should be ~0.
 * Medians of the rounds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, openSocket, server, spawnServe, until } from './setup.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const LINE_RATE = 115200 / 10; // bytes per second, 8N1
const FLOOD = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

interface Round {
  rssGrowthMiB: number;
  firstByteMs: number;
  rate: number;
  peerPushedMiB: number;
}

/** Resident set size of a process, in bytes (Linux). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function round(kind: 'flood' | 'trickle', worldPath: string): Promise<Round> {
  const peers: Socket[] = [];
  const peerServer = await server((s) => peers.push(s));
  const { child, port } = await spawnServe(['--world', worldPath, '--pace', '--echo', 'off']);
  try {
    const host = await openSocket(port);
    await until(host, '\r\nready\r\n');
    const joined = until(host, '+QSTASTAT:GOT_IP\r\n');
    host.write('AT+QSTAAPINFO=Bench\r');
    await joined;
    const connected = until(host, '\r\nCONNECT\r\n');
    host.write(`AT+QIOPEN=0,"TCP","127.0.0.1",${peerServer.port},0,2\r`);
    await connected;
    while (peers.length === 0) await new Promise((r) => setTimeout(r, 5));
    const peer = peers[0];
    await new Promise((r) => setTimeout(r, 200)); // let the boot's allocations settle
    const rssBefore = rss(child.pid!);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rss(child.pid!))), 20);

    let received = 0;
    let firstAt = 0;
    host.on('data', (b: Buffer) => {
      if (received === 0) firstAt = performance.now();
      received += b.length;
    });
    let pushed = 0;
    let stop = false;
    const started = performance.now();
    const chunk = Buffer.alloc(64 * 1024, 0x55);
    const pushing = (async () => {
      if (kind === 'flood') {
        while (!stop && pushed < FLOOD) {
          pushed += chunk.length;
          if (!peer.write(chunk)) await new Promise((r) => peer.once('drain', r).once('close', r));
        }
      } else {
        // 90 % of the line rate, in 1 KiB writes.
        const every = (1024 / (LINE_RATE * 0.9)) * 1000;
        while (!stop) {
          pushed += 1024;
          peer.write(chunk.subarray(0, 1024));
          await new Promise((r) => setTimeout(r, every));
        }
      }
    })();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    stop = true;
    const end = performance.now();
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, rss(child.pid!));
    const accepted = pushed - peer.writableLength;
    peer.destroy();
    await pushing.catch(() => {});
    host.destroy();
    // Rate from the first byte on; the first byte itself came at the start of the interval.
    return {
      rssGrowthMiB: (rssPeak - rssBefore) / MiB,
      firstByteMs: firstAt - started,
      rate: received / ((end - firstAt) / 1000),
      peerPushedMiB: accepted / MiB,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    for (const s of peers) s.destroy();
    peerServer.server.close();
  }
}

export async function benchPaced(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-bench-paced-'));
  const worldPath = join(dir, 'world.json');
  writeFileSync(worldPath, JSON.stringify({ timeScale: 0, accessPoints: [{ ssid: 'Bench', security: 'OPEN' }] }));
  const runs: Record<'flood' | 'trickle', Round[]> = { flood: [], trickle: [] };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      for (const kind of ['flood', 'trickle'] as const) runs[kind].push(await round(kind, worldPath));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (kind: 'flood' | 'trickle', key: keyof Round) => median(runs[kind].map((r) => r[key]));
  const flood = { rss: med('flood', 'rssGrowthMiB'), first: med('flood', 'firstByteMs'), rate: med('flood', 'rate'), pushed: med('flood', 'peerPushedMiB') };
  const trickle = { rss: med('trickle', 'rssGrowthMiB'), first: med('trickle', 'firstByteMs') };
  const error = ((flood.rate - LINE_RATE) / LINE_RATE) * 100;
  console.log(
    `--pace 115200, peer pushing 64 MiB for ${SECONDS} s (medians of ${ROUNDS}): peak RSS growth ${flood.rss.toFixed(1)} MiB ` +
      `vs trickle ${trickle.rss.toFixed(1)} MiB; the peer got ${flood.pushed.toFixed(1)} MiB into socket buffers`,
  );
  console.log(`  first byte to the host after ${flood.first.toFixed(1)} ms (trickle ${trickle.first.toFixed(1)} ms)`);
  console.log(`  host rate ${flood.rate.toFixed(0)} B/s vs line rate ${LINE_RATE} B/s: error ${error >= 0 ? '+' : ''}${error.toFixed(2)} %`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchPaced();
