/** Shared bench scaffolding: a module with an address behind the TCP transport, and a peer server. */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fc41dModule } from '../src/device/module.ts';
import { startTcpTransport, type TcpTransport } from '../src/transport/tcp.ts';
import { parseWorld } from '../src/world/schema.ts';
import { World } from '../src/world/world.ts';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function openSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** A server whose connections are handed to `onSocket`. */
export async function server(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const srv = createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { server: srv, port: (srv.address() as AddressInfo).port };
}

/** Reads from a socket until `pattern` shows up in what came; returns it all. */
export function until(socket: Socket, pattern: string | RegExp): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (b: Buffer) => {
      text += b.toString('latin1');
      if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
}

export interface BenchModule {
  module: Fc41dModule;
  tcp: TcpTransport;
  /** The host's connection to the module's UART. */
  host: Socket;
  /** Sends a command line and waits for its final result. */
  command(line: string): Promise<string>;
  close(): Promise<void>;
}

/** After `ready`, joins the bench world's AP; returns a command runner (line → text up to its final result). */
async function joinBench(host: Socket): Promise<(line: string) => Promise<string>> {
  await until(host, '\r\nready\r\n');
  const command = (line: string) => {
    const answer = until(host, /\r\n(OK|ERROR|CONNECT|SEND OK|SEND FAIL|NO CARRIER)\r\n/);
    host.write(`${line}\r`);
    return answer;
  };
  const joined = until(host, '+QSTASTAT:GOT_IP\r\n');
  await command('AT+QSTAAPINFO=Bench');
  await joined;
  return command;
}

/** Resolves when `socket` has received `n` bytes in all. */
export function received(socket: Socket, n: number): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    const onData = (b: Buffer) => {
      got += b.length;
      if (got < n) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
}

/** A module with a Wi-Fi address (instant radio), reached over the TCP transport. */
export async function moduleWithAddress(): Promise<BenchModule> {
  const world = new World(parseWorld({ timeScale: 0, accessPoints: [{ ssid: 'Bench', security: 'OPEN' }] }));
  const module = new Fc41dModule({ bootMs: 1, echo: false, world });
  const tcp = await startTcpTransport('127.0.0.1', 0, module);
  const host = await openSocket(tcp.address.port);
  const command = await joinBench(host);
  return {
    module,
    tcp,
    host,
    command,
    close: async () => {
      host.destroy();
      await tcp.close();
      module.dispose();
    },
  };
}

/** Prints one comparison line. */
export function report(what: string, rate: number, baseRate: number, unit: string, opts: { target?: number; base?: string } = {}): void {
  const ratio = rate / baseRate;
  const { target, base = 'direct' } = opts;
  const goal = target === undefined ? '' : ` (target >= ${target})${ratio >= target ? '' : '  BELOW TARGET'}`;
  console.log(`${what}: ${rate.toFixed(1)} ${unit} vs ${base} ${baseRate.toFixed(1)} ${unit}, ratio ${ratio.toFixed(2)}${goal}`);
}

/** `fc41d serve --tcp 127.0.0.1:0 …args` in its own process, once it says where it listens. */
export async function spawnServe(args: string[], stderr: 'inherit' | 'ignore' = 'ignore'): Promise<{ child: ChildProcessByStdio<null, Readable, null>; port: number }> {
  const bin = fileURLToPath(new URL('../bin/fc41d.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--tcp', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', stderr] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on tcp 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fc41d serve exited ${code}`)));
  });
  return { child, port };
}

/**
 * The same, with the module in its own `fc41d serve` process, as a host would use it: the
 * bench process then does the host's and the peer's work and the emulator only its own, so
 * a relay through it is compared fairly with a direct pipe (on one thread, two hops would
 * cost twice one hop whatever the emulator did).
 */
export async function spawnedModuleWithAddress(): Promise<Omit<BenchModule, 'module' | 'tcp'>> {
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-bench-'));
  const worldPath = join(dir, 'world.json');
  writeFileSync(worldPath, JSON.stringify({ timeScale: 0, accessPoints: [{ ssid: 'Bench', security: 'OPEN' }] }));
  const { child, port } = await spawnServe(['--world', worldPath, '--echo', 'off'], 'inherit');
  const host = await openSocket(port);
  const command = await joinBench(host);
  return {
    host,
    command,
    close: async () => {
      host.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
