/**
 * Socket service test scaffolding: services on a real World with a fake network switch, real
 * local peers on 127.0.0.1 (TCP echo, UDP echo, scripted servers, a black hole whose accept
 * queue is full), and waiting for service events. Everything made here is closed after each test.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach } from 'node:test';
import { Worker } from 'node:worker_threads';
import { NetSockets, type NetSocketsDeps } from '../../src/net/socket-service.ts';
import type { OpenRequest, SocketServiceEvents } from '../../src/net/types.ts';
import type { ResultCode } from '../../src/results/index.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';

/** Generous: the suite must pass on a loaded machine. */
export const T = 5_000;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Runs after the current test. */
export function defer(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

export interface Rig {
  svc: NetSockets;
  world: World;
  /** The fake station: hasIp() answers this. */
  network: { up: boolean };
}

/** A service on a world with `hosts`; closed (closeAll) after the test. */
export function rig(options: { hosts?: Record<string, unknown> } & Partial<Omit<NetSocketsDeps, 'world' | 'hasIp'>> = {}): Rig {
  const { hosts = {}, ...deps } = options;
  const world = new World(parseWorld({ hosts }));
  const network = { up: true };
  const svc = new NetSockets({ world, hasIp: () => network.up, ...deps });
  defer(() => svc.closeAll());
  return { svc, world, network };
}

/** A TCP client request on 127.0.0.1. */
export function tcp(id: number, remotePort: number, extra: Partial<OpenRequest> = {}): OpenRequest {
  return { id, type: 'TCP', host: '127.0.0.1', remotePort, localPort: 0, mode: 0, ...extra };
}

/** Opens and insists on success. */
export async function mustOpen(svc: NetSockets, request: OpenRequest): Promise<void> {
  const result = await svc.open(request);
  assert.equal(result, 0, `open ${JSON.stringify(request)}: ${result} ${svc.lastDetail}`);
}

/** The next `name` event whose arguments pass `filter`. */
export function next<K extends keyof SocketServiceEvents>(
  svc: NetSockets,
  name: K,
  filter: (...args: SocketServiceEvents[K]) => boolean = () => true,
  timeoutMs = T,
): Promise<SocketServiceEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: SocketServiceEvents[K]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      svc.off(name, listener as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      svc.off(name, listener as never);
      reject(new Error(`no ${String(name)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    svc.on(name, listener as never);
  });
}

/** Records every event of the service, in order. */
export function record(svc: NetSockets): unknown[][] {
  const log: unknown[][] = [];
  for (const name of ['opened', 'data', 'closed', 'incoming', 'accept', 'incomingFull'] as const)
    svc.on(name, (...args: unknown[]) => log.push([name, ...args]));
  return log;
}

/** Polls until `check` holds. */
export async function until(check: () => boolean, what: string, timeoutMs = T): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads everything socket `id` buffers until `bytes` have been read (waiting for more as needed). */
export async function readAll(svc: NetSockets, id: number, bytes: number, chunk = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  const end = Date.now() + T;
  while (got < bytes) {
    const r = svc.read(id, chunk);
    assert.ok(r, `socket ${id} exists`);
    if (r.data.length > 0) {
      parts.push(r.data);
      got += r.data.length;
      continue;
    }
    if (Date.now() > end) throw new Error(`read ${got} of ${bytes} bytes`);
    await sleep(2);
  }
  return Buffer.concat(parts);
}

// ---- peers ----

export interface TcpPeer {
  port: number;
  server: net.Server;
  /** Server-side sockets, in arrival order. */
  sockets: net.Socket[];
  connection(): Promise<net.Socket>;
}

/** A TCP server on 127.0.0.1:0 running `handle` for each connection; closed after the test. */
export async function tcpServer(handle: (socket: net.Socket) => void = () => {}, options: net.ServerOpts = {}): Promise<TcpPeer> {
  const sockets: net.Socket[] = [];
  const waiting: ((s: net.Socket) => void)[] = [];
  const server = net.createServer(options, (socket) => {
    socket.on('error', () => {});
    sockets.push(socket);
    waiting.shift()?.(socket);
    handle(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  let seen = 0;
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    sockets,
    connection: () => {
      const index = seen++;
      const existing = sockets[index];
      return existing ? Promise.resolve(existing) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Echoes everything and closes when the client does. */
export function tcpEcho(): Promise<TcpPeer> {
  return tcpServer((socket) => socket.pipe(socket));
}

export interface UdpPeer {
  port: number;
  socket: dgram.Socket;
  /** Datagrams received, with their senders. */
  received: { data: Buffer; port: number; address: string }[];
}

/** A UDP socket on 127.0.0.1:0; `echo` sends every datagram back to its sender. */
export async function udpPeer(echo = true): Promise<UdpPeer> {
  const socket = dgram.createSocket('udp4');
  const received: UdpPeer['received'] = [];
  socket.on('error', () => {});
  socket.on('message', (data, rinfo) => {
    received.push({ data, port: rinfo.port, address: rinfo.address });
    if (echo) socket.send(data, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  defer(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, socket, received };
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real handshake that never completes, on loopback: a listener (backlog 1) in a worker
 * thread whose event loop is blocked, so it never accepts. Two connections fill its accept
 * queue; after that Linux drops further SYNs and a connect hangs until its timeout.
 */
export async function blackHole(): Promise<{ port: number }> {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const net = require('node:net');
     const flag = new Int32Array(workerData);
     const server = net.createServer();
     server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       Atomics.store(flag, 1, server.address().port);
       Atomics.notify(flag, 1);
       while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 20);
       server.close();
     });`,
    { eval: true, workerData: shared.buffer },
  );
  worker.on('error', () => {});
  const fillers: net.Socket[] = [];
  defer(async () => {
    for (const s of fillers) s.destroy();
    Atomics.store(shared, 0, 1);
    Atomics.notify(shared, 0);
    await once(worker, 'exit');
  });
  await until(() => Atomics.load(shared, 1) !== 0, 'the black hole to listen');
  const port = Atomics.load(shared, 1);
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
    await once(s, 'connect');
  }
  return { port };
}

/** The `opened` results, in order, as the service emits them. */
export function openedLog(svc: NetSockets): [number, ResultCode][] {
  const log: [number, ResultCode][] = [];
  svc.on('opened', (id, result) => log.push([id, result]));
  return log;
}
