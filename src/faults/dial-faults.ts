/**
 * What dial() (and UDP's resolution) asks of the faults, stage by stage: resolution
 * (`dns-failure`: the same failure as a real NXDOMAIN), the TCP connect (`refuse`: a real
 * ECONNREFUSED at the connect step; `blackhole`: a connect that never completes), and the
 * connected socket (`latency`: a delaying relay; `tls-untrusted`: a middle with an untrusted
 * certificate). Each fault acting is counted (`FaultSet.hit`) with the case it met.
 */
import net from 'node:net';
import type { Clock } from '../clock.ts';
import { describeError } from '../net/link.ts';
import { Result } from '../results/index.ts';
import type { FaultContext, FaultSet } from './faults.ts';
import { delayedRelay } from './latency-relay.ts';
import { loopbackPair, resetSocket } from './loopback-pair.ts';
import { untrustedMiddle } from './tls-untrusted.ts';

/** The faults a module's network meets, and the module's label they are matched against. */
export interface FaultScope {
  readonly faults?: FaultSet | undefined;
  readonly module?: string | undefined;
}

function withModule(scope: FaultScope, ctx: FaultContext): FaultContext {
  return scope.module === undefined ? ctx : { ...ctx, module: scope.module };
}

/** The error a resolver gives for a name that does not exist (dns.lookup's ENOTFOUND). */
export function notFoundError(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });
}

/** `dns-failure` on this name: the failure resolve.ts reports for a name DNS does not know; else null. */
export function dnsFault(scope: FaultScope, host: string): { ok: false; result: typeof Result.UNKNOWN_ERROR; detail: string; cause: unknown } | null {
  const ctx = withModule(scope, { host });
  const fault = scope.faults?.find('dns-failure', ctx);
  if (!fault) return null;
  scope.faults!.hit(fault, 1, ctx);
  const cause = notFoundError(host);
  return { ok: false, result: Result.UNKNOWN_ERROR, detail: `DNS lookup of ${host} failed: ${describeError(cause)}`, cause };
}

/** The case a connection to host:port (resolved to address) is. */
export function connectionContext(scope: FaultScope, host: string, address: string, port: number): FaultContext {
  return withModule(scope, { host, address, port });
}

/**
 * `refuse` or `blackhole` on this connection: a `net.connect` stand-in that fails as a refused
 * connection does, or never connects (the caller's handshake timeout ends it); else null.
 */
export function connectFault(scope: FaultScope, ctx: FaultContext): ((options: net.TcpNetConnectOpts) => net.Socket) | null {
  const faults = scope.faults;
  if (!faults || faults.size === 0) return null;
  const refuse = faults.find('refuse', ctx);
  if (refuse) {
    faults.hit(refuse, 1, ctx);
    return (options) => {
      const socket = new net.Socket();
      process.nextTick(() => socket.destroy(refusedError(options.host ?? '', options.port)));
      return socket;
    };
  }
  const blackhole = faults.find('blackhole', ctx);
  if (blackhole) {
    faults.hit(blackhole, 1, ctx);
    return () => new net.Socket(); // the SYN goes nowhere
  }
  return null;
}

/** The error `net.connect` gives when the peer answers the SYN with an RST. */
export function refusedError(address: string, port: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address, port });
}

/** What the connected stage does: the socket to use, or a failure like a connect's. */
export type Wrapped = { ok: true; socket: net.Socket } | { ok: false; detail: string; cause?: unknown };

/**
 * `latency` and `tls-untrusted` on a connected socket: the socket the module gets instead (a
 * loopback socket behind the relays), or the same socket when no such fault applies. Under
 * latency the handshake's round trip (2 × delayMs) passes first. Cancellable like a connect.
 */
export function wrapConnected(
  raw: net.Socket,
  scope: FaultScope,
  ctx: FaultContext,
  opts: { tls: boolean; serverName?: string | undefined; clock: Clock },
): { outcome: Promise<Wrapped>; cancel(reason: string): void } {
  const faults = scope.faults;
  const latency = faults?.find('latency', ctx);
  const untrusted = opts.tls ? faults?.find('tls-untrusted', ctx) : undefined;
  if (!latency && !untrusted) return { outcome: Promise.resolve({ ok: true, socket: raw }), cancel: () => {} };
  let cancelled: string | null = null;
  let wake = (): void => {};
  const made: net.Socket[] = [];
  const work = async (): Promise<Wrapped> => {
    let socket = raw;
    if (latency) {
      faults!.hit(latency, 1, ctx);
      await new Promise<void>((resolve) => {
        const timer = opts.clock.setTimeout(resolve, 2 * latency.delayMs);
        wake = () => {
          opts.clock.clearTimeout(timer);
          resolve();
        };
      });
      if (cancelled !== null) throw new Error(cancelled);
      const { near, far } = await loopbackPair();
      made.push(near);
      delayedRelay(far, socket, { delayMs: latency.delayMs, ...(latency.bandwidth ? { bandwidth: latency.bandwidth } : {}), clock: opts.clock });
      socket = near;
    }
    if (untrusted) {
      if (cancelled !== null) throw new Error(cancelled);
      faults!.hit(untrusted, 1, ctx);
      socket = await untrustedMiddle(socket, opts.serverName);
      made.push(socket);
    }
    if (cancelled !== null) throw new Error(cancelled);
    // What the host is shown as the local port is the real connection's.
    const localPort = raw.localPort;
    Object.defineProperty(socket, 'localPort', { get: () => localPort, configurable: true });
    return { ok: true, socket };
  };
  const outcome = work().catch((error: unknown): Wrapped => {
    for (const s of made) resetSocket(s);
    raw.destroy();
    return { ok: false, detail: error instanceof Error ? error.message : String(error), cause: error };
  });
  return {
    outcome,
    cancel: (reason) => {
      cancelled = reason;
      wake();
    },
  };
}
