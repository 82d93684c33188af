/**
 * The TCP/UDP socket service of one module (manual §2.3, §3.3, chapter 5): socket ids 0–11
 * over real Node sockets, shared with the SSL clients of §2.4 (openSsl; docs/ssl-service.md).
 * Clients connect for real (through the world's hosts map, then DNS); TCP LISTENER and UDP
 * SERVICE really listen on the host at `listenHost`. The rules chosen where the manual is
 * silent are in docs/sockets-service.md.
 *
 * The pieces: ids.ts (the id table), entry.ts (one id's record), dial.ts (the way out of TCP and
 * SSL clients: resolve.ts for name → address, tcp-client.ts to connect with the handshake
 * timeout, tls-client.ts for the TLS handshake), tcp-link.ts (a connected TCP or TLS socket with push-back), udp.ts
 * (UDP client/service), listener.ts (TCP listener and its accept queue), recv-buffer.ts and
 * send-counter.ts (buffers and counters).
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { type Clock } from '../clock.ts';
import type { World } from '../world/world.ts';
import { dial, type DialNetwork } from './dial.ts';
import { type Entry, infoOf, makeEntry } from './entry.ts';
import { IdTable, validId } from './ids.ts';
import { causeCode, describeError, errorCode, type LinkReports, plainAddress } from './link.ts';
import { refuse, TcpListener } from './listener.ts';
import { dnsLookup, hostKind, type Lookup, resolveNow, resolveTarget, type Target } from './resolve.ts';
import { type ConnectFn, HANDSHAKE_TIMEOUT_MS } from './tcp-client.ts';
import { TcpLink } from './tcp-link.ts';
import { openUdpClient, openUdpService, UdpLink, type UdpLoss } from './udp.ts';
import {
  type AccessMode,
  type Endpoint,
  type OpenKind,
  type OpenRequest,
  type Received,
  type RecvCounters,
  type SendCounters,
  SERVICE_TYPES,
  type SocketInfo,
  type SocketService,
  type SocketServiceEvents,
  SocketState,
  SSL_CONTEXTS,
  type SslOpenRequest,
  type TlsSettings,
} from './types.ts';
import { Result, type ResultCode, resultOf } from '../results/index.ts';

export const DEFAULT_RECV_BUFFER_BYTES = 64 * 1024;
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

export interface NetSocketsDeps {
  world: World;
  /** Whether the station has an address; without one, open() answers 556. */
  hasIp: () => boolean;
  /** Timers (handshake and close timeouts); default the world's clock. */
  clock?: Clock;
  /** Where TCP LISTENER / UDP SERVICE really listen; default 127.0.0.1. */
  listenHost?: string;
  /** Receive buffer per socket; default 64 KiB. */
  recvBufferBytes?: number;
  /** TCP client handshake timeout; default 120 s (§2.3.2). */
  handshakeTimeoutMs?: number;
  /** Name lookup after the hosts map; default DNS (IPv4). */
  lookup?: Lookup;
  /** Test seam: replaces `net.connect` for TCP clients. */
  connect?: ConnectFn;
  /** The module's label: the world's faults limited to a module match it. */
  module?: string;
}

type Cancelled = 'host' | 'link' | null;

/**
 * An open under way: its entry holds the id, and `entry.cancel` (close()/closeAll(): 'host',
 * linkLost(): 'link') abandons it — `signal` aborts the dial under way and `stopped` resolves.
 */
class Opening {
  private why: Cancelled = null;
  private readonly controller = new AbortController();
  private wake = (): void => {};
  /** Resolves (null) when the open is abandoned. */
  readonly stopped: Promise<null>;

  constructor(
    private readonly table: IdTable<Entry>,
    readonly entry: Entry,
  ) {
    this.stopped = new Promise<null>((resolve) => (this.wake = () => resolve(null)));
    table.set(entry.id, entry);
    entry.cancel = (why) => {
      if (this.why) return;
      this.why = why;
      this.controller.abort(new Error(why === 'host' ? 'closed by the host while opening' : 'the Wi-Fi link was lost while opening'));
      this.wake();
    };
  }

  get cancelled(): boolean {
    return this.why !== null;
  }

  /** Aborted when the open is abandoned. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The outcome of an abandoned open: silent for the host's own close, a failure for link loss. */
  abandoned(): Attempt {
    if (this.why === 'host') return { result: Result.UNKNOWN_ERROR, silent: true };
    this.table.release(this.entry.id, this.entry);
    return { result: Result.UNKNOWN_ERROR, detail: 'the Wi-Fi link was lost while opening' };
  }

  failed(result: ResultCode, detail: string, cause?: string): Attempt {
    this.table.release(this.entry.id, this.entry);
    return { result, detail, ...(cause ? { cause } : {}) };
  }
}

/** How an open ended: its code, whether to report it, and what to start once reported. */
interface Attempt {
  result: ResultCode;
  detail?: string;
  /** The code of the error behind a failure (ECONNREFUSED, ENOTFOUND, …), for the `failure` record. */
  cause?: string;
  /** Abandoned by close()/closeAll(): no `opened`, no failure recorded. */
  silent?: boolean;
  start?: () => void;
}

export class NetSockets extends EventEmitter<SocketServiceEvents> implements SocketService {
  private readonly table = new IdTable<Entry>();
  private readonly world: World;
  private readonly hasIp: () => boolean;
  private readonly clock: Clock;
  private readonly listenHost: string;
  private readonly capacity: number;
  private readonly handshakeTimeoutMs: number;
  private readonly lookup: Lookup;
  private readonly module: string | undefined;
  /** What the TCP and SSL clients dial through. */
  private readonly network: DialNetwork;
  private manualAccept = false;
  private failureCode: ResultCode = Result.OK;
  private failureDetail = '';

  constructor(deps: NetSocketsDeps) {
    super();
    this.world = deps.world;
    this.hasIp = deps.hasIp;
    this.clock = deps.clock ?? deps.world.clock;
    this.listenHost = deps.listenHost ?? DEFAULT_LISTEN_HOST;
    this.capacity = deps.recvBufferBytes ?? DEFAULT_RECV_BUFFER_BYTES;
    this.handshakeTimeoutMs = deps.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.lookup = deps.lookup ?? dnsLookup;
    this.module = deps.module;
    this.network = {
      world: this.world,
      hasIp: this.hasIp,
      clock: this.clock,
      lookup: this.lookup,
      faults: this.world.faults,
      net: this.world.net,
      ...(deps.module === undefined ? {} : { module: deps.module }),
      ...(deps.connect ? { connect: deps.connect } : {}),
    };
  }

  get lastResult(): ResultCode {
    return this.failureCode;
  }

  get lastDetail(): string {
    return this.failureDetail;
  }

  /** AT+QICFG="accept/mode" (1: manual). */
  get acceptManual(): boolean {
    return this.manualAccept;
  }

  setAcceptMode(manual: boolean): void {
    this.manualAccept = manual;
  }

  open(request: OpenRequest): Promise<ResultCode> {
    return this.report(request.id, { kind: 'tcp', mode: request.mode }, () => this.attempt(request));
  }

  openSsl(request: SslOpenRequest, options: TlsSettings): Promise<ResultCode> {
    return this.report(request.id, { kind: 'ssl', mode: request.mode }, () => this.attemptSsl(request, options));
  }

  info(id: number): SocketInfo | undefined {
    const entry = this.table.get(id);
    return entry && infoOf(entry);
  }

  list(): SocketInfo[] {
    return this.table.values().map(infoOf);
  }

  send(id: number, data: Buffer, to?: Endpoint): { ok: true; sent: number } | { ok: false; result: ResultCode } {
    const entry = this.table.get(id);
    if (!entry) return this.refusal(id, Result.ID_NOT_EXIST, `no socket ${id}`);
    if (entry.state !== SocketState.Connected || !entry.link)
      return this.refusal(id, Result.NOT_ALLOWED, `socket ${id} (${entry.type}) is not connected (state ${entry.state})`);
    let destination: Endpoint | undefined;
    if (entry.type === 'UDP SERVICE') {
      if (!to) return this.refusal(id, Result.INVALID_PARAMETER, 'UDP SERVICE needs a destination for each send');
      if (!validPort(to.port, false)) return this.refusal(id, Result.INVALID_PARAMETER, `invalid destination port ${to.port}`);
      const target = resolveNow(this.world, to.address, to.port);
      if (!target.ok) return this.refusal(id, target.result, target.detail);
      destination = { address: target.address, port: target.port };
    } else if (to) {
      return this.refusal(id, Result.INVALID_PARAMETER, `only UDP SERVICE takes a destination (socket ${id} is ${entry.type})`);
    }
    if (!entry.link.send(data, destination)) return this.refusal(id, Result.NOT_ALLOWED, `socket ${id} can no longer write`);
    return { ok: true, sent: data.length };
  }

  backlogged(id: number): boolean {
    return this.table.get(id)?.link?.backlogged() ?? false;
  }

  lastPeer(id: number): Endpoint | undefined {
    const link = this.table.get(id)?.link;
    return (link instanceof UdpLink && link.lastPeer) || undefined;
  }

  sendCounters(id: number): SendCounters | undefined {
    return this.table.get(id)?.sent.counters();
  }

  read(id: number, max: number): Received | null {
    const entry = this.table.get(id);
    if (!entry) {
      this.fail(id, Result.ID_NOT_EXIST, `no socket ${id}`);
      return null;
    }
    const received = entry.recv.read(max);
    entry.link?.drained();
    return received;
  }

  recvCounters(id: number): RecvCounters | undefined {
    return this.table.get(id)?.recv.counters();
  }

  unread(id: number): number {
    return this.table.get(id)?.recv.unread ?? 0;
  }

  accept(listenerId: number, accept: boolean, incomingId?: number): { ok: true; info?: SocketInfo } | { ok: false; result: ResultCode } {
    const listener = this.table.get(listenerId);
    if (!listener) return this.refusal(listenerId, Result.ID_NOT_EXIST, `no socket ${listenerId}`);
    if (!listener.listener || listener.state !== SocketState.Listening)
      return this.refusal(listenerId, Result.NOT_ALLOWED, `socket ${listenerId} is not a listening TCP LISTENER`);
    if (listener.listener.waiting === 0) return this.refusal(listenerId, Result.NOT_ALLOWED, `no connection waiting on listener ${listenerId}`);
    if (!accept) {
      refuse(listener.listener.take()!);
      return { ok: true };
    }
    let id = incomingId;
    if (id === undefined) {
      id = this.table.lowestFree();
      if (id === undefined) return this.refusal(listenerId, Result.ALLOCATE_FAILED, 'no socket id free for the incoming connection');
    } else if (!validId(id)) {
      return this.refusal(listenerId, Result.INVALID_PARAMETER, `socket id ${id} out of range`);
    } else if (this.table.has(id)) {
      return this.refusal(listenerId, Result.ID_IN_USE, `socket id ${id} is in use`);
    }
    const incoming = this.adopt(listener, listener.listener.take()!, id);
    incoming.link!.start();
    return { ok: true, info: infoOf(incoming) };
  }

  setMode(id: number, mode: AccessMode): ResultCode {
    const entry = this.table.get(id);
    if (!entry) return this.fail(id, Result.ID_NOT_EXIST, `no socket ${id}`);
    if (mode !== 0 && mode !== 1 && mode !== 2) return this.fail(id, Result.INVALID_PARAMETER, `invalid access mode ${String(mode)}`);
    if (mode === 2 && (entry.type === 'TCP LISTENER' || entry.type === 'UDP SERVICE'))
      return this.fail(id, Result.NOT_SUPPORTED, `${entry.type} cannot be transparent`);
    if (mode === 2 && entry.state !== SocketState.Connected) return this.fail(id, Result.NOT_ALLOWED, `socket ${id} is not connected`);
    entry.mode = mode;
    return Result.OK;
  }

  close(id: number, timeoutMs: number): Promise<ResultCode> {
    const entry = this.table.get(id);
    if (!entry) return Promise.resolve(this.fail(id, Result.ID_NOT_EXIST, `no socket ${id}`));
    if (entry.closeDone) return entry.closeDone;
    entry.closing = true;
    entry.closeDone = this.shut(entry, timeoutMs);
    return entry.closeDone;
  }

  closeAll(): void {
    const entries = this.table.values();
    this.table.clear();
    for (const entry of entries) {
      entry.closing = true;
      entry.state = SocketState.Closing;
      entry.cancel?.('host');
      entry.listener?.close();
      entry.link?.destroy();
    }
  }

  linkLost(): void {
    for (const entry of this.table.values()) {
      if (entry.closing) continue;
      if (entry.state === SocketState.Opening) {
        entry.cancel?.('link'); // the open fails (551) and frees its id
        continue;
      }
      entry.listener?.close();
      entry.link?.destroy();
      if (entry.reported) continue;
      entry.reported = true;
      entry.state = SocketState.Closing;
      this.emit('closed', entry.id, 'Wi-Fi link lost');
    }
  }

  // ---- opening ----

  /** Runs an open attempt and reports its outcome as `opened`, saying which request it answers (and failures as `failure`). */
  private async report(id: number, request: OpenKind, run: () => Promise<Attempt>): Promise<ResultCode> {
    let attempt: Attempt;
    try {
      attempt = await run();
    } catch (error) {
      // Not expected; but the AT layer does not wait for a TCP open, so never reject.
      attempt = { result: Result.UNKNOWN_ERROR, detail: `open failed: ${describeError(error)}` };
    }
    if (attempt.silent) return attempt.result;
    if (attempt.result !== Result.OK) this.fail(id, attempt.result, attempt.detail ?? 'open failed');
    const failure = attempt.result === Result.OK ? undefined : { detail: attempt.detail ?? 'open failed', ...(attempt.cause ? { cause: attempt.cause } : {}) };
    if (failure) this.emit('opened', id, attempt.result, request, failure);
    else this.emit('opened', id, attempt.result, request);
    attempt.start?.();
    return attempt.result;
  }

  /** The checks every client open (TCP, UDP, SSL) makes on its id, mode, ports and host, in this order. */
  private clientChecks(id: number, mode: AccessMode, localPort: number, host: string | undefined, remotePort: number | undefined): Attempt | null {
    const invalid = (detail: string): Attempt => ({ result: Result.INVALID_PARAMETER, detail });
    if (!validId(id)) return invalid(`socket id ${id} out of range 0-11`);
    if (this.table.has(id)) return { result: Result.ID_IN_USE, detail: `socket id ${id} is in use` };
    if (mode !== 0 && mode !== 1 && mode !== 2) return invalid(`invalid access mode ${String(mode)}`);
    if (!validPort(localPort, true)) return invalid(`invalid local port ${localPort}`);
    if (host === undefined || hostKind(host) === 'bad') return invalid(`invalid host "${host ?? ''}"`);
    if (remotePort === undefined || !validPort(remotePort, false)) return invalid(`invalid remote port ${remotePort}`);
    return null;
  }

  private async attempt(request: OpenRequest): Promise<Attempt> {
    const { id, type, mode, localPort } = request;
    const invalid = (detail: string): Attempt => ({ result: Result.INVALID_PARAMETER, detail });
    if (!validId(id)) return invalid(`socket id ${id} out of range 0-11`);
    if (this.table.has(id)) return { result: Result.ID_IN_USE, detail: `socket id ${id} is in use` };
    if (!SERVICE_TYPES.includes(type)) return invalid(`unknown service type ${String(type)}`);
    const server = type === 'TCP LISTENER' || type === 'UDP SERVICE';
    if (!server) {
      const problem = this.clientChecks(id, mode, localPort, request.host, request.remotePort);
      if (problem) return problem;
    } else {
      if (mode !== 0 && mode !== 1 && mode !== 2) return invalid(`invalid access mode ${String(mode)}`);
      if (mode === 2) return { result: Result.NOT_SUPPORTED, detail: `${type} cannot be transparent` };
      if (!validPort(localPort, false)) return invalid(`invalid local port ${localPort}`);
      const twin = this.table.values().find((e) => e.type === type && e.localPort === localPort && e.state !== SocketState.Closing);
      if (twin) return { result: Result.UNKNOWN_ERROR, detail: `local port ${localPort} already used by socket ${twin.id} (${type})` };
    }
    if (!this.hasIp()) return { result: Result.NOT_ALLOWED, detail: 'no network (the station has no IP address)' };

    const entry = makeEntry(id, type, mode, this.capacity, { localPort });
    const op = new Opening(this.table, entry);
    try {
      if (type === 'TCP LISTENER') {
        let listener: TcpListener;
        try {
          listener = await TcpListener.open(this.listenHost, localPort, (socket) => this.incoming(entry, socket), () => {});
        } catch (error) {
          return op.cancelled ? op.abandoned() : op.failed(Result.UNKNOWN_ERROR, `listen failed: ${describeError(error)}`);
        }
        if (op.cancelled) {
          listener.close();
          return op.abandoned();
        }
        entry.listener = listener;
        entry.hostEndpoint = { address: this.listenHost, port: listener.port };
        entry.state = SocketState.Listening;
        return { result: Result.OK };
      }

      if (type === 'UDP SERVICE') {
        let socket;
        try {
          socket = await openUdpService(this.listenHost, localPort);
        } catch (error) {
          return op.cancelled ? op.abandoned() : op.failed(Result.UNKNOWN_ERROR, `bind failed: ${describeError(error)}`);
        }
        if (op.cancelled) {
          socket.close();
          return op.abandoned();
        }
        const link = new UdpLink(socket, entry.recv, entry.sent, this.reportsFor(entry), () => {}, this.udpLoss());
        entry.link = link;
        entry.hostEndpoint = { address: this.listenHost, port: link.localPort };
        entry.state = SocketState.Connected; // as Quectel modules show a UDP service: it can send at once
        return { result: Result.OK, start: () => link.start() };
      }

      if (type === 'TCP') {
        const dialed = await this.dialFor(op, request.host!, request.remotePort!, localPort);
        if (!dialed.ok) return dialed.attempt;
        return this.linkUp(entry, dialed.socket, dialed.socket.localPort ?? 0);
      }

      // UDP clients: resolve (hosts map, literal, DNS), then bind and "connect". Not recorded: a
      // replay refuses them (a miss) rather than reach the network (docs/cassettes.md).
      const unreplayed = this.world.net.udpRefused(request.host!, request.remotePort!, this.module);
      if (unreplayed) return op.failed(unreplayed.result, unreplayed.message);
      const target = await this.resolveFor(op, request.host!, request.remotePort!);
      if (!target.ok) return target.attempt;

      let socket;
      try {
        // A port left to the system comes from the seed when there is one (AT+QISTATE shows it).
        socket = await openUdpClient({ address: target.address, port: target.port }, this.world.net.localPort(localPort));
      } catch (error) {
        return op.cancelled ? op.abandoned() : op.failed(Result.UNKNOWN_ERROR, `UDP open failed: ${describeError(error)} (${describeTarget(target)})`);
      }
      if (op.cancelled) {
        socket.close();
        return op.abandoned();
      }
      const link = new UdpLink(socket, entry.recv, entry.sent, this.reportsFor(entry), () => {}, this.udpLoss(request.host));
      entry.link = link;
      entry.localPort = link.localPort;
      entry.state = SocketState.Connected;
      return { result: Result.OK, start: () => link.start() };
    } catch (error) {
      return op.cancelled ? op.abandoned() : op.failed(Result.UNKNOWN_ERROR, `open failed: ${describeError(error)}`);
    } finally {
      delete entry.cancel;
    }
  }

  private async attemptSsl(request: SslOpenRequest, options: TlsSettings): Promise<Attempt> {
    const { ctx, id, mode, localPort, host, remotePort } = request;
    if (!Number.isInteger(ctx) || ctx < 0 || ctx >= SSL_CONTEXTS)
      return { result: Result.INVALID_PARAMETER, detail: `SSL context ${ctx} out of range 0-${SSL_CONTEXTS - 1}` };
    const problem = this.clientChecks(id, mode, localPort, host, remotePort);
    if (problem) return problem;
    if (!this.hasIp()) return { result: Result.NOT_ALLOWED, detail: 'no network (the station has no IP address)' };

    const entry = makeEntry(id, 'SSL CLIENT', mode, this.capacity, { localPort });
    entry.sslCtx = ctx;
    const op = new Opening(this.table, entry);
    try {
      const dialed = await this.dialFor(op, host, remotePort, localPort, { options: options.options, timeoutMs: options.timeoutMs });
      if (!dialed.ok) return dialed.attempt;
      return this.linkUp(entry, dialed.socket, dialed.socket.localPort ?? 0);
    } catch (error) {
      return op.cancelled ? op.abandoned() : op.failed(Result.UNKNOWN_ERROR, `open failed: ${describeError(error)}`);
    } finally {
      delete entry.cancel;
    }
  }

  /** Client target: hosts map, IPv4 literal, then DNS — unless the open is abandoned meanwhile. */
  private async resolveFor(op: Opening, host: string, port: number): Promise<Extract<Target, { ok: true }> | { ok: false; attempt: Attempt }> {
    const scope = { faults: this.world.faults, module: this.module };
    const target = await Promise.race([resolveTarget(this.world, host, port, this.lookup, scope), op.stopped]);
    if (op.cancelled || target === null) return { ok: false, attempt: op.abandoned() };
    if (!target.ok) return { ok: false, attempt: op.failed(target.result, target.detail, errorCode(target.cause)) };
    op.entry.remote = { address: target.address, port };
    return target;
  }

  /**
   * A TCP or SSL client's connection through dial() (hosts map, literal, DNS; connect within the
   * handshake timeout; TLS when `tls` is given) — unless the open is abandoned meanwhile.
   * The remote shown while and after opening is the resolved address with the port asked for.
   */
  private async dialFor(
    op: Opening,
    host: string,
    port: number,
    localPort: number,
    tls?: TlsSettings,
  ): Promise<{ ok: true; socket: net.Socket } | { ok: false; attempt: Attempt }> {
    let socket: net.Socket;
    try {
      socket = await dial(
        { host, port },
        {
          network: this.network,
          signal: op.signal,
          localPort,
          connectTimeoutMs: this.handshakeTimeoutMs,
          onResolved: ({ address }) => void (op.entry.remote = { address, port }),
          ...(tls ? { tls } : {}),
        },
      );
    } catch (error) {
      if (op.cancelled) return { ok: false, attempt: op.abandoned() };
      return { ok: false, attempt: op.failed(resultOf(error), error instanceof Error ? error.message : String(error), causeCode(error)) };
    }
    if (op.cancelled) {
      socket.destroy();
      return { ok: false, attempt: op.abandoned() };
    }
    return { ok: true, socket };
  }

  /** A connected TCP (or TLS) client becomes the entry's link. */
  /** What UDP sockets need to meet a `udp-loss` fault (`host`: the client's host as given). */
  private udpLoss(host?: string): UdpLoss {
    return { faults: this.world.faults, ...(this.module === undefined ? {} : { module: this.module }), ...(host === undefined ? {} : { host }) };
  }

  private linkUp(entry: Entry, socket: net.Socket, localPort: number): Attempt {
    const link = new TcpLink(socket, entry.recv, entry.sent, this.reportsFor(entry), this.clock);
    entry.link = link;
    entry.localPort = localPort;
    entry.state = SocketState.Connected;
    return { result: Result.OK, start: () => link.start() };
  }

  // ---- incoming connections ----

  private incoming(listener: Entry, socket: net.Socket): void {
    if (listener.state !== SocketState.Listening || this.table.get(listener.id) !== listener) {
      socket.destroy();
      return;
    }
    const free = this.table.lowestFree();
    if (free === undefined) {
      refuse(socket);
      this.emit('incomingFull');
      return;
    }
    if (this.manualAccept) {
      listener.listener!.queue(socket);
      this.emit('accept', listener.id);
      return;
    }
    const entry = this.adopt(listener, socket, free);
    this.emit('incoming', entry.id, listener.id, { ...entry.remote! });
    entry.link!.start();
  }

  /** A connection through a listener becomes socket `id` ("TCP INCOMING", the listener's mode). */
  private adopt(listener: Entry, socket: net.Socket, id: number): Entry {
    const entry = makeEntry(id, 'TCP INCOMING', listener.mode, this.capacity, {
      state: SocketState.Connected,
      remote: { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 },
      localPort: listener.localPort,
      listenerId: listener.id,
    });
    if (!socket.destroyed) socket.setNoDelay(true);
    entry.link = new TcpLink(socket, entry.recv, entry.sent, this.reportsFor(entry), this.clock);
    this.table.set(id, entry);
    return entry;
  }

  // ---- closing ----

  private async shut(entry: Entry, timeoutMs: number): Promise<ResultCode> {
    if (entry.state === SocketState.Opening && entry.cancel) {
      entry.cancel('host');
      this.table.release(entry.id, entry);
      return Result.OK;
    }
    entry.state = SocketState.Closing;
    entry.listener?.close();
    await entry.link?.close(Math.max(0, timeoutMs));
    this.table.release(entry.id, entry);
    return Result.OK;
  }

  private reportsFor(entry: Entry): LinkReports {
    return {
      data: () => {
        if (!entry.closing) this.emit('data', entry.id);
      },
      writable: () => {
        if (!entry.closing) this.emit('drain', entry.id);
      },
      ended: (reason) => {
        if (entry.closing || entry.reported) return;
        entry.reported = true;
        entry.state = SocketState.Closing;
        this.emit('closed', entry.id, reason);
      },
    };
  }

  // ---- failures ----

  private fail(id: number, result: ResultCode, detail: string): ResultCode {
    this.failureCode = result;
    this.failureDetail = detail;
    this.emit('failure', id, result, detail);
    return result;
  }

  private refusal(id: number, result: ResultCode, detail: string): { ok: false; result: ResultCode } {
    return { ok: false, result: this.fail(id, result, detail) };
  }
}

function validPort(port: number, allowZero: boolean): boolean {
  return Number.isInteger(port) && port >= (allowZero ? 0 : 1) && port <= 65535;
}

function describeTarget(target: Extract<Target, { ok: true }>): string {
  return `${target.address}:${target.port}`;
}
