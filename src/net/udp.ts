/**
 * UDP sockets. "UDP" (client): a dgram socket connected to the remote, bound to the module's
 * local port if the host has it free (else an ephemeral port). "UDP SERVICE": bound on the
 * listen host at the module's local port if free (else any free port), sending each datagram
 * to the destination given with it. Received datagrams keep their boundary and sender; UDP
 * cannot push back, so one that does not fit the receive buffer is dropped and counted.
 */
import dgram from 'node:dgram';
import type { FaultContext, FaultSet } from '../faults/faults.ts';
import { describeError, type Link, type LinkReports } from './link.ts';
import { withPortFallback } from './ports.ts';
import type { RecvBuffer } from './recv-buffer.ts';
import type { SendCounter } from './send-counter.ts';
import type { Endpoint } from './types.ts';

/** A fresh udp4 socket bound to address:port (port 0: any); rejects with the bind error. */
function bindUdp(address: string | undefined, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4' });
    const onError = (error: Error): void => {
      socket.removeListener('listening', onListening);
      socket.on('error', () => {});
      try {
        socket.close();
      } catch {
        // already closed
      }
      reject(error);
    };
    const onListening = (): void => {
      socket.removeListener('error', onError);
      socket.on('error', () => {}); // replaced by the link's handler; never unhandled
      resolve(socket);
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ port, ...(address === undefined ? {} : { address }) });
  });
}

export async function openUdpClient(remote: Endpoint, localPort: number): Promise<dgram.Socket> {
  const socket = await withPortFallback(localPort, (port) => bindUdp(undefined, port));
  try {
    await new Promise<void>((resolve, reject) => socket.connect(remote.port, remote.address, (error?: Error) => (error ? reject(error) : resolve())));
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}

export function openUdpService(host: string, localPort: number): Promise<dgram.Socket> {
  return withPortFallback(localPort, (port) => bindUdp(host, port));
}

/** What a UDP socket needs to meet `udp-loss` faults: the set, the module and (clients) the host as given. */
export interface UdpLoss {
  faults: FaultSet;
  module?: string;
  host?: string;
}

export class UdpLink implements Link {
  private started = false;
  private closed = false;
  /** Datagrams that arrived before start(): kept, announced at start. */
  private early = false;
  /** The sender of the last datagram that arrived (UDP SERVICE: where the prompt form of AT+QISEND answers). */
  lastPeer: Endpoint | null = null;

  constructor(
    private readonly socket: dgram.Socket,
    private readonly recv: RecvBuffer,
    private readonly sent: SendCounter,
    private readonly reports: LinkReports,
    /** Called with each socket error (UDP errors, e.g. ICMP port unreachable, do not end the socket). */
    private readonly onError: (detail: string) => void,
    private readonly loss?: UdpLoss,
  ) {
    socket.on('error', (error) => this.onError(describeError(error)));
    socket.on('message', (message, rinfo) => {
      if (this.closed) return;
      if (this.lost({ address: rinfo.address, port: rinfo.port })) return;
      const from = { address: rinfo.address, port: rinfo.port };
      this.lastPeer = from; // also when the buffer has no room for the datagram
      if (!this.recv.pushDatagram(message, from)) return;
      if (this.started) this.reports.data();
      else this.early = true;
    });
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.early) this.reports.data();
  }

  send(data: Buffer, to?: Endpoint): boolean {
    if (this.closed) return false;
    this.sent.add(data.length);
    if (this.lost(to ?? this.remote())) {
      this.sent.ack(data.length); // it left the module; the network lost it
      return true;
    }
    const done = (error: Error | null): void => {
      if (error) this.onError(describeError(error));
      else this.sent.ack(data.length);
    };
    try {
      if (to) this.socket.send(data, to.port, to.address, done);
      else this.socket.send(data, done);
    } catch (error) {
      this.onError(describeError(error));
    }
    return true;
  }

  drained(): void {}

  /** Whether a `udp-loss` fault drops this datagram (to or from `peer`). */
  private lost(peer: Endpoint | undefined): boolean {
    const loss = this.loss;
    if (!loss || loss.faults.size === 0) return false;
    const ctx: FaultContext = {
      ...(loss.module === undefined ? {} : { module: loss.module }),
      ...(loss.host === undefined ? {} : { host: loss.host }),
      ...(peer ? { address: peer.address, port: peer.port } : {}),
    };
    const fault = loss.faults.find('udp-loss', ctx);
    if (!fault || !loss.faults.chance(fault.rate)) return false;
    loss.faults.hit(fault, 1, ctx);
    return true;
  }

  /** A UDP client's connected peer. */
  private remote(): Endpoint | undefined {
    try {
      const r = this.socket.remoteAddress();
      return { address: r.address, port: r.port };
    } catch {
      return undefined; // UDP SERVICE: not connected
    }
  }

  /** Datagrams are sent or dropped, never held back. */
  backlogged(): boolean {
    return false;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  destroy(): void {
    void this.close();
  }
}
