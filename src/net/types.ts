/**
 * The socket service's contract (manual §2.3, chapter 5): what the TCP/UDP commands in
 * src/tcpip/commands.ts (and src/ssl/commands.ts) ask of src/net/, and the events it reports back. The service owns
 * real Node sockets and the receive buffers; it never formats AT text. The AT layer owns
 * access modes' URCs, hex/text encoding and transparent mode.
 */
import type { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import type { ResultCode } from '../results/index.ts';

/** 'SSL CLIENT': a TLS client of AT+QSSLOPEN (§2.4.3), opened with openSsl(), never with open(). */
export type ServiceType = 'TCP' | 'UDP' | 'TCP LISTENER' | 'UDP SERVICE' | 'TCP INCOMING' | 'SSL CLIENT';
/** The types open() (AT+QIOPEN) takes. */
export const SERVICE_TYPES: readonly ServiceType[] = ['TCP', 'UDP', 'TCP LISTENER', 'UDP SERVICE'];

/** §2.3.2 <access_mode>: 0 buffer, 1 direct push, 2 transparent. */
export type AccessMode = 0 | 1 | 2;

/** §2.3.3 <state>. */
export const SocketState = { Initial: 0, Opening: 1, Connected: 2, Listening: 3, Closing: 4 } as const;
export type SocketStateValue = (typeof SocketState)[keyof typeof SocketState];

/** Socket ids 0–11, shared by TCP/UDP and SSL (FIDELITY.md). */
export const MAX_SOCKETS = 12;

/**
 * SSL contexts 0–5 (§2.4.1). Defined here, below src/ssl/ (which re-exports it), so that the
 * socket service can check an SSL open's context without importing src/ssl/: src/ssl/ depends
 * on src/net/, never the other way round.
 */
export const SSL_CONTEXTS = 6;

/**
 * How to do a TLS handshake: options for `tls.connect` and the handshake's own limit. What
 * `tlsOptions` (src/ssl/tls-options.ts) makes of an SSL context, and what dial() applies.
 */
export interface TlsSettings {
  options: tls.ConnectionOptions;
  timeoutMs: number;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** What AT+QISTATE prints, plus where a listener really listens on the host. */
export interface SocketInfo {
  id: number;
  type: ServiceType;
  remote: Endpoint | null;
  /** The module-side local port (as the host gave it, or the one the socket got). */
  localPort: number;
  state: SocketStateValue;
  mode: AccessMode;
  /** TCP LISTENER / UDP SERVICE: the real address a test or peer connects to. */
  hostEndpoint?: Endpoint;
  /** The listener an incoming connection came through. */
  listenerId?: number;
  /** SSL CLIENT: the SSL context (0–5) it was opened with. */
  sslCtx?: number;
}

export interface SendCounters {
  total: number;
  acked: number;
  unacked: number;
}

export interface RecvCounters {
  total: number;
  read: number;
  unread: number;
  /** UDP only: datagrams dropped because the receive buffer was full (never counted in total). */
  droppedDatagrams?: number;
  /** UDP only: the bytes of those dropped datagrams. */
  droppedBytes?: number;
}

/** A chunk taken from a receive buffer; UDP keeps datagram boundaries and the sender. */
export interface Received {
  data: Buffer;
  from?: Endpoint;
}

/**
 * Which request an `opened` event answers: an open() (AT+QIOPEN) or an openSsl() (AT+QSSLOPEN),
 * with the access mode it asked for. Two opens may name the same id (the second gets 553), so
 * the id alone cannot tell whose result it is.
 */
export interface OpenKind {
  kind: 'tcp' | 'ssl';
  mode: AccessMode;
}

/** Why an open failed: the detail (as `lastDetail`) and the code of the error behind it (ECONNREFUSED, …). */
export interface OpenFailure {
  detail: string;
  cause?: string;
}

export interface SocketServiceEvents {
  /** The outcome of open()/openSsl() (`request` says which), for clients after the handshake. */
  opened: [id: number, result: ResultCode, request: OpenKind, failure?: OpenFailure];
  /** Bytes were added to an empty-or-not receive buffer of this socket. */
  data: [id: number];
  /** The peer closed, the link dropped or an error ended the socket (not after close()); `reason` for traces. */
  closed: [id: number, reason?: string];
  /** A backlog of bytes to the peer has gone out (after `backlogged` was true). */
  drain: [id: number];
  /** Automatic accept (§3.3.5): a new TCP INCOMING socket. */
  incoming: [incomingId: number, listenerId: number, remote: Endpoint];
  /** Manual accept (§3.3.3): a connection waits for AT+QIACCEPT. */
  accept: [listenerId: number];
  /** §3.3.6: no socket id free for an incoming connection; it was refused. */
  incomingFull: [];
  /** Any failed operation (open, send, accept, …): its result code and the specific reason, for traces. */
  failure: [id: number, result: ResultCode, detail: string];
}

export interface OpenRequest {
  id: number;
  type: 'TCP' | 'UDP' | 'TCP LISTENER' | 'UDP SERVICE';
  /** IP or domain name (TCP/UDP only); resolved through the world's hosts map, then DNS. */
  host?: string;
  remotePort?: number;
  /** 0: any. Required for TCP LISTENER / UDP SERVICE. */
  localPort: number;
  mode: AccessMode;
}

/** An SSL CLIENT open (AT+QSSLOPEN, §2.4.3). */
export interface SslOpenRequest {
  /** SSL context 0–5 (shown as `sslCtx` in the socket's info). */
  ctx: number;
  id: number;
  host: string;
  remotePort: number;
  /** 0: any. */
  localPort: number;
  mode: AccessMode;
}

export interface SocketService extends EventEmitter<SocketServiceEvents> {
  /** Starts opening; the result comes as `opened` (and is returned). Refuses without a network (556). */
  open(request: OpenRequest): Promise<ResultCode>;
  /**
   * Opens an SSL CLIENT (§2.4.3): the checks of a TCP open, a TCP connect, then the TLS
   * handshake with `options` (from `tlsOptions`) within `options.timeoutMs`. The result comes as
   * `opened` (and is returned); a failed handshake is 551 with its reason in `lastDetail`.
   * `options`: a successful `tlsOptions(...)` result (any `TlsSettings`).
   */
  openSsl(request: SslOpenRequest, options: TlsSettings): Promise<ResultCode>;
  info(id: number): SocketInfo | undefined;
  list(): SocketInfo[];
  /** Writes bytes; UDP SERVICE needs `to`. Returns bytes accepted or a result code on failure. */
  send(id: number, data: Buffer, to?: Endpoint): { ok: true; sent: number } | { ok: false; result: ResultCode };
  /** Bytes to the peer are waiting for the kernel: a sender that can wait should, until `drain`. */
  backlogged(id: number): boolean;
  /** UDP sockets: the sender of the last datagram that arrived, if any. */
  lastPeer(id: number): Endpoint | undefined;
  sendCounters(id: number): SendCounters | undefined;
  /** Takes up to `max` bytes (TCP) or one datagram truncated to `max` (UDP); resumes a paused peer. */
  read(id: number, max: number): Received | null;
  recvCounters(id: number): RecvCounters | undefined;
  /** Unread bytes in the receive buffer. */
  unread(id: number): number;
  /** §2.3.6: accept or reject the oldest pending connection on a listener. */
  accept(listenerId: number, accept: boolean, incomingId?: number): { ok: true; info?: SocketInfo } | { ok: false; result: ResultCode };
  setMode(id: number, mode: AccessMode): ResultCode;
  /** AT+QICFG="accept/mode": true = incoming connections wait for accept(). */
  setAcceptMode(manual: boolean): void;
  /** Closes (TCP: graceful FIN, forced after timeoutMs); no `closed` event for this. */
  close(id: number, timeoutMs: number): Promise<ResultCode>;
  /** Reset or power-off: everything goes at once, silently. */
  closeAll(): void;
  /** The Wi-Fi link (station address) went: every socket closes, each with a `closed` event. */
  linkLost(): void;
  /** The last failure, for AT+QIGETERROR. */
  readonly lastResult: ResultCode;
  /** The specific reason of the last failure (e.g. `ECONNREFUSED 127.0.0.1:7`), for traces. */
  readonly lastDetail?: string;
}
