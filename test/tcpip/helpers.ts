/** Scaffolding for the socket tests: real local echo servers and a module with an address. */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

export const T = 10_000;

export interface Echo {
  port: number;
  /** Connections the server accepted. */
  sockets: Socket[];
  close(): Promise<void>;
}

/** A TCP echo server on 127.0.0.1. */
export async function tcpEcho(): Promise<Echo> {
  const sockets: Socket[] = [];
  const server: Server = createTcpServer((s) => {
    sockets.push(s);
    s.setNoDelay(true);
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A UDP echo server on 127.0.0.1. */
export async function udpEcho(): Promise<{ port: number; socket: UdpSocket; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, socket, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** A module joined to an AP (GOT_IP), in a world whose hosts map names the test servers. */
export async function connectedModule(hosts: Record<string, unknown> = {}, opts: { join?: boolean; guardMs?: number } = {}) {
  const world = new World(parseWorld({ timeScale: 0.01, hosts, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const m = createModule({ bootMs: 5, echo: false, world, guardMs: opts.guardMs });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n', T);
  if (opts.join !== false) {
    host.send('AT+QSTAAPINFO=Office');
    await host.expect('+QSTASTAT:GOT_IP\r\n', T);
  }
  return { ...m, world, host, at: (line: string) => host.command(line, T) };
}

/**
 * A module on a hand-driven clock (its timeouts move only when the test says), joined to an AP
 * at once (timeScale 0), in a world whose hosts map names the test servers; sockets stay real.
 */
export async function clockedModule(hosts: Record<string, unknown>) {
  const clock = new FakeClock();
  const world = new World(parseWorld({ timeScale: 0, hosts, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const m = createModule({ bootMs: 5, echo: false, world, clock });
  const host = new AtHost(m.stream);
  clock.advance(5);
  await host.expect('\r\nready\r\n', T);
  host.send('AT+QSTAAPINFO=Office');
  await host.expect('+QSTASTAT:GOT_IP\r\n', T);
  return { ...m, clock, world, host };
}
