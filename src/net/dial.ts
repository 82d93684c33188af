/**
 * The module's one way out to the network: every outgoing TCP and TLS connection (AT+QIOPEN
 * "TCP", AT+QSSLOPEN, AT+QWLANOTA, and MQTT and HTTP next) goes through `dial()`, so a rule or a
 * fault put here reaches every protocol. Stages, each cancellable by `signal`:
 *
 *   check (host, port, TLS settings, station address) → resolve (the world's hosts map with its
 *   port remapping, then an IPv4 literal, then DNS) → TCP connect (Nagle off, handshake timeout,
 *   local-port fallback) → TLS handshake (the SSL context's options, its negotiate timeout).
 *
 * The world's faults (`network.faults`) act at each stage (src/faults/dial-faults.ts):
 * dns-failure at resolve, refuse/blackhole at connect, latency/tls-untrusted on the connected
 * socket (relays below TLS), and every connection is tracked for reset-connections.
 *
 * It resolves to the connected socket and rejects with a `SocketError` (chapter 5, Table 2: 550
 * bad target or context, 551 resolution/connection/handshake failure or abort, 556 no address,
 * 557 SSL 3.0) whose `message` is the reason for traces and `cause` the underlying error
 * (ECONNREFUSED, a TLS alert, a verification code, the abort reason). docs/dial.md.
 *
 * Repeatable runs (`network.net`, the world's src/replay/ hook): a local port left to the system
 * comes from the seed when there is one; in record mode the connection is made as above and
 * written into the cassette, in replay mode nothing past the checks touches the network
 * (docs/cassettes.md).
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { Clock } from '../clock.ts';
import { connectFault, connectionContext, wrapConnected } from '../faults/dial-faults.ts';
import type { FaultSet } from '../faults/faults.ts';
import type { WorldNet } from '../replay/world-net.ts';
import { Result, type ResultCode, SocketError } from '../results/index.ts';
import { dnsLookup, type HostsMap, hostKind, type Lookup, resolveTarget, type Target } from './resolve.ts';
import { type ConnectFn, connectTcp, type ConnectOutcome, HANDSHAKE_TIMEOUT_MS } from './tcp-client.ts';
import { secureTcp, type SecureOutcome } from './tls-client.ts';
import type { Endpoint, TlsSettings } from './types.ts';

/** What a TLS setting is, or why there is none (tlsOptions' refusals: 550, 551, 557). */
export type TlsSetup = ({ ok: true } & TlsSettings) | { ok: false; result: ResultCode; detail: string };

/** What dial() needs of the module's network state — never the module itself. */
export interface DialNetwork {
  /** The world's hosts map (`World.resolveHost`): names and literals, with port remapping. */
  readonly world: HostsMap;
  /** Whether the station has an IP address; without one, dial() refuses with 556. */
  hasIp(): boolean;
  /** Timers of the TCP and TLS handshake timeouts. */
  readonly clock: Clock;
  /** Name → IPv4 after the hosts map; default DNS (`dns.lookup`, family 4). */
  readonly lookup?: Lookup;
  /** Test seam replacing `net.connect` (it must behave like it). */
  readonly connect?: ConnectFn;
  /**
   * SSL context id → TLS settings for a server name, for `tls: <context id>`: the SSL feature's
   * contexts and certificates (src/ssl/tls-options.ts `contextTls(contexts, certs)`).
   */
  readonly sslContext?: (ctx: number, serverName: string) => TlsSetup;
  /** The world's faults (`world.faults`): what this dial meets (src/faults/dial-faults.ts). */
  readonly faults?: FaultSet;
  /** The module's label (`module 0`): faults limited to a module match it. */
  readonly module?: string;
  /** The world's record/replay hook and seeded local ports (`world.net`); absent: always live. */
  readonly net?: WorldNet;
}

/** Where to: the host as the module was given it (a name or an IPv4 literal) and the port. */
export interface DialTarget {
  host: string;
  port: number;
}

export interface DialOptions {
  network: DialNetwork;
  /**
   * TLS on top of the TCP connection: an SSL context id (0–5, through `network.sslContext`), or
   * settings already made (`tlsOptions(...)` when it answered ok). Absent: plain TCP.
   */
  tls?: number | TlsSettings;
  /** Aborting destroys whatever socket exists and rejects (551, `cause` the abort reason). */
  signal?: AbortSignal;
  /** The local port to connect from when the host has it free (else any); default 0 (any). */
  localPort?: number;
  /** TCP handshake timeout; default 120 s (§2.3.2). */
  connectTimeoutMs?: number;
  /** Called once the host is resolved, before connecting: the address and the (remapped) port. */
  onResolved?: (endpoint: Endpoint) => void;
}

/** Opens a TCP connection (and TLS over it when `options.tls` says so). */
export async function dial(target: DialTarget, options: DialOptions): Promise<net.Socket | tls.TLSSocket> {
  const { network, signal } = options;
  const { host, port } = target;
  const localPort = options.localPort ?? 0;
  if (hostKind(host) === 'bad') throw new SocketError(Result.INVALID_PARAMETER, `invalid host "${host}"`);
  if (!validPort(port, false)) throw new SocketError(Result.INVALID_PARAMETER, `invalid remote port ${port}`);
  if (!validPort(localPort, true)) throw new SocketError(Result.INVALID_PARAMETER, `invalid local port ${localPort}`);
  const tlsSettings = settingsFor(options.tls, network, host);
  if (!network.hasIp()) throw new SocketError(Result.NOT_ALLOWED, 'no network (the station has no IP address)');
  stopIfAborted(signal, target);

  const scope = { faults: network.faults, module: network.module };
  const chosenPort = network.net ? network.net.localPort(localPort) : localPort;
  const live = (onResolved?: (endpoint: Endpoint) => void): Promise<net.Socket> =>
    connectLive(target, { ...options, localPort: chosenPort, ...(onResolved ? { onResolved } : {}) }, tlsSettings, scope);
  if (!network.net || network.net.mode === 'live') return live(options.onResolved);
  return network.net.dial(
    {
      host,
      port,
      tls: tlsSettings !== null,
      ...(network.module === undefined ? {} : { module: network.module }),
      localPort: chosenPort,
      ...(signal ? { signal } : {}),
      ...(options.onResolved ? { onResolved: options.onResolved } : {}),
      track: (socket, endpoint) => network.faults?.track(socket, connectionContext(scope, host, endpoint.address, port)),
    },
    live,
  );
}

/** Resolve, connect, faults, TLS: the connection for real. */
async function connectLive(
  target: DialTarget,
  options: DialOptions & { localPort: number },
  tlsSettings: TlsSettings | null,
  scope: { faults: FaultSet | undefined; module: string | undefined },
): Promise<net.Socket> {
  const { network, signal, localPort } = options;
  const { host, port } = target;
  const resolved = await untilAborted(resolveTarget(network.world, host, port, network.lookup ?? dnsLookup, scope), signal, target);
  if (!resolved.ok) throw new SocketError(failureCode(resolved.result), resolved.detail, { cause: resolved.cause });
  options.onResolved?.({ address: resolved.address, port: resolved.port });

  // Faults match the port the module asked for (before the hosts map's remapping).
  const faultCtx = connectionContext(scope, host, resolved.address, port);
  const connect = connectFault(scope, faultCtx) ?? network.connect;
  const connecting = connectTcp({
    address: resolved.address,
    port: resolved.port,
    localPort,
    timeoutMs: options.connectTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    clock: network.clock,
    ...(connect ? { connect } : {}),
  });
  let raw = await step(connecting, signal, target);
  if (network.faults) {
    if (network.faults.size > 0) {
      const serverName = hostKind(host) === 'name' ? host : undefined;
      raw = await step(wrapConnected(raw, scope, faultCtx, { tls: tlsSettings !== null, serverName, clock: network.clock }), signal, target);
    }
    network.faults.track(raw, faultCtx); // for a reset-connections fault started later
  }
  if (!tlsSettings) return raw;

  const securing = secureTcp({
    socket: raw,
    options: tlsSettings.options,
    timeoutMs: tlsSettings.timeoutMs,
    clock: network.clock,
    target: `${resolved.address}:${resolved.port}`,
  });
  return step(securing, signal, target);
}

/** The TLS settings asked for, or a refusal (before anything goes out). */
function settingsFor(wanted: DialOptions['tls'], network: DialNetwork, host: string): TlsSettings | null {
  if (wanted === undefined) return null;
  if (typeof wanted !== 'number') return wanted;
  if (!network.sslContext) throw new SocketError(Result.INVALID_PARAMETER, `SSL context ${wanted} asked for, but this network has no SSL contexts`);
  const setup = network.sslContext(wanted, host);
  if (!setup.ok) throw new SocketError(failureCode(setup.result), setup.detail);
  return setup;
}

/** Waits for a connect or handshake under way; an abort cancels it (its sockets are destroyed). */
async function step(
  op: { outcome: Promise<ConnectOutcome | SecureOutcome>; cancel(reason: string): void },
  signal: AbortSignal | undefined,
  target: DialTarget,
): Promise<net.Socket> {
  const cancel = (): void => op.cancel('aborted');
  signal?.addEventListener('abort', cancel, { once: true });
  let outcome: ConnectOutcome | SecureOutcome;
  try {
    outcome = await op.outcome;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
  if (signal?.aborted) {
    if (outcome.ok) outcome.socket.destroy();
    throw aborted(signal, target);
  }
  if (!outcome.ok) throw new SocketError(Result.UNKNOWN_ERROR, outcome.detail, { cause: outcome.cause });
  return outcome.socket;
}

/** A step that cannot be cancelled (a DNS lookup): its outcome is dropped when the dial is aborted. */
async function untilAborted(work: Promise<Target>, signal: AbortSignal | undefined, target: DialTarget): Promise<Target> {
  if (!signal) return work;
  let onAbort = (): void => {};
  const abort = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted(signal, target));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, abort]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function stopIfAborted(signal: AbortSignal | undefined, target: DialTarget): void {
  if (signal?.aborted) throw aborted(signal, target);
}

function aborted(signal: AbortSignal, target: DialTarget): SocketError {
  return new SocketError(Result.UNKNOWN_ERROR, `dial to ${target.host}:${target.port} aborted`, { cause: signal.reason });
}

/** A refusal's own code; an OK that is not one (never expected) counts as unknown. */
function failureCode(result: ResultCode): Exclude<ResultCode, 0> {
  return result === Result.OK ? Result.UNKNOWN_ERROR : result;
}

function validPort(port: number, allowZero: boolean): boolean {
  return Number.isInteger(port) && port >= (allowZero ? 0 : 1) && port <= 65535;
}
