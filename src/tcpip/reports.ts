/**
 * Socket events → what the host sees (§3.3; §3.4 for SSL clients, whose URCs say +QSSLOPEN and
 * +QSSLURC), by access mode: buffer mode announces data
 * (`+QIURC: "recv",<id>`), direct push carries it in the URC, transparent mode streams it.
 * Direct push reads the socket only while the line is free, so a busy host leaves the
 * bytes in the socket's buffer and TCP pushes back on the peer, rather than queueing here.
 */
import { background, type FaultSink } from '../feature/background.ts';
import type { FeatureHost } from '../feature/feature.ts';
import { type Endpoint, type SocketService, type SocketServiceEvents } from '../net/types.ts';
import type { ResultCode } from '../results/index.ts';
import { encodeData } from './encoding.ts';
import type { TcpipConfig } from './config.ts';
import { TransparentSocket } from './transparent.ts';

/** §3.3.2: at most this many bytes in one direct-push URC. */
export const PUSH_CHUNK = 1500;

/** What the reports need of the TCP/IP service (service.ts): its sockets, settings and last result. */
export interface ReportedSockets {
  readonly net: SocketService;
  readonly config: TcpipConfig;
  lastResult: ResultCode;
}

export class SocketReports {
  /** Buffer-mode sockets whose "recv" URC the host has not yet answered by reading all. */
  private readonly notified = new Set<number>();
  private readonly sessions = new Map<number, TransparentSocket>();
  private pushing = false;
  /** Sockets whose direct-push loop is running (a read may report new data at once: no nesting). */
  private readonly pushingIds = new Set<number>();

  constructor(
    private readonly tcpip: ReportedSockets,
    private readonly host: FeatureHost,
  ) {
    const net = guardedEvents(tcpip.net, host);
    const urc = (line: string) => host.urc(line);
    net.on('opened', (id, result, request, failure) => {
      if (failure) host.failure({ feature: request.kind === 'ssl' ? 'ssl' : 'tcpip', result, ...failure });
      // Transparent opens: AT+QIOPEN/AT+QSSLOPEN answers CONNECT or ERROR itself, no URC.
      if (request.mode === 2) return;
      tcpip.lastResult = result;
      urc(`${request.kind === 'ssl' ? '+QSSLOPEN' : '+QIOPEN'}: ${id},${result}`);
    });
    net.on('data', (id) => this.dataArrived(id));
    net.on('closed', (id) => this.peerClosed(id));
    net.on('incoming', (id, listener, remote) => urc(`+QIURC: "incoming",${id},${listener},"${remote.address}",${remote.port}`));
    net.on('accept', (listener) => urc(`+QIURC: "accept",${listener}`));
    net.on('incomingFull', () => urc('+QIURC: "incoming full"'));
    net.on('drain', (id) => this.sessions.get(id)?.drained());
    host.line.on('idle', () => background(host, () => this.pushAll()));
    host.line.on('writable', () => background(host, () => (this.deliverAll(), this.pushAll()))); // direct push waits while the host is backed up
  }

  /** The transparent session of a socket, made on first use. */
  session(id: number): TransparentSocket {
    let session = this.sessions.get(id);
    if (!session) {
      session = new TransparentSocket(id, this.tcpip.net, this.host.line, () => this.tcpip.config, this.host.clock);
      this.sessions.set(id, session);
    }
    return session;
  }

  /** ATO resumed a session: what arrived meanwhile goes out now. */
  deliverAll(): void {
    for (const session of this.sessions.values()) session.deliver();
  }

  /** AT+QIRD took data: once the buffer is empty, the next arrival is announced again. */
  readDone(id: number): void {
    if (this.tcpip.net.unread(id) === 0) this.notified.delete(id);
  }

  /** AT+QISWTMD: data already waiting is announced or pushed in the new mode. */
  modeChanged(id: number): void {
    this.notified.delete(id);
    if (this.tcpip.net.unread(id) > 0) this.dataArrived(id);
  }

  /** AT+QICLOSE: forget the socket. */
  forget(id: number): void {
    this.notified.delete(id);
    const session = this.sessions.get(id);
    if (session) {
      session.stop();
      this.host.line.endSession(session);
      this.sessions.delete(id);
    }
  }

  /** Reset: forget every socket. */
  reset(): void {
    for (const id of [...this.sessions.keys()]) this.forget(id);
    this.notified.clear();
  }

  private dataArrived(id: number): void {
    const info = this.tcpip.net.info(id);
    if (!info) return;
    if (info.mode === 2) return this.sessions.get(id)?.deliver();
    if (info.mode === 1) return this.push(id);
    if (this.notified.has(id)) return;
    this.notified.add(id);
    this.host.urc(`${urcPrefix(info.type)}: "recv",${id}`);
  }

  private peerClosed(id: number): void {
    const session = this.sessions.get(id);
    if (session && this.host.line.ownsLine(session)) {
      session.deliver();
      this.host.line.endSession(session); // NO CARRIER (§3.3.7)
      return;
    }
    if (session) this.host.line.endSession(session); // ATO now answers NO CARRIER
    this.host.urc(`${urcPrefix(this.tcpip.net.info(id)?.type)}: "closed",${id}`);
  }

  /** Direct push (§3.3.2): data goes out in URCs while the line is free and URCs are on. */
  private push(id: number): void {
    if (!this.host.line.isIdle || !this.host.system.urc) return; // kept in the socket buffer until then (or AT+QIRD)
    if (this.pushingIds.has(id)) return; // the running loop picks the new bytes up, in order
    this.pushingIds.add(id);
    try {
      this.pushLoop(id);
    } finally {
      this.pushingIds.delete(id);
    }
  }

  private pushLoop(id: number): void {
    const { net, config } = this.tcpip;
    const line = this.host.line;
    const info = net.info(id);
    while (info && line.isIdle && !line.outputBlocked && net.unread(id) > 0) {
      const chunk = net.read(id, PUSH_CHUNK);
      if (!chunk) break;
      const from = info.type === 'UDP SERVICE' && chunk.from ? `,"${chunk.from.address}",${chunk.from.port}` : '';
      const data = encodeData(chunk.data, config.datatype);
      const head = `\r\n${urcPrefix(info.type)}: "recv",${id},${chunk.data.length}${from}\r\n`;
      this.host.urc(Buffer.concat([Buffer.from(head, 'latin1'), data, Buffer.from('\r\n', 'latin1')]));
    }
  }

  private pushAll(): void {
    if (this.pushing) return;
    this.pushing = true;
    try {
      for (const info of this.tcpip.net.list()) if (info.mode === 1 && this.tcpip.net.unread(info.id) > 0) this.push(info.id);
    } finally {
      this.pushing = false;
    }
  }
}

/**
 * The service's events, with each listener guarded: a listener that throws is a bug, reported as
 * a fault, never thrown back into the socket callback that emitted (and from there at the event
 * loop, which would end the process).
 */
function guardedEvents(net: SocketService, sink: FaultSink) {
  return {
    on<K extends keyof SocketServiceEvents>(event: K, listener: (...args: SocketServiceEvents[K]) => void): void {
      net.on(event, ((...args: SocketServiceEvents[K]) => background(sink, () => listener(...args))) as never);
    },
  };
}

export function formatEndpoint(endpoint: Endpoint | null): string {
  return endpoint ? `"${endpoint.address}",${endpoint.port}` : '"0.0.0.0",0';
}

/** `+QSSLURC` for SSL clients (§3.4), `+QIURC` for the rest (§3.3). */
export function urcPrefix(type: string | undefined): string {
  return type === 'SSL CLIENT' ? '+QSSLURC' : '+QIURC';
}
