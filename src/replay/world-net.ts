/**
 * The world's way to the network for repeatable runs (`world.net`): live (dial() as ever),
 * record (live, each connection written into the cassette) or replay (dial() never touches the
 * network or DNS: the cassette's connection plays the far side). It also picks the local port of
 * a connection the module left to the system, from the seed when there is one, so AT+QISTATE
 * shows the same port on every run. dial() (src/net/dial.ts) calls `dial()` here once the target
 * has passed its checks. docs/cassettes.md.
 */
import type net from 'node:net';
import type { Clock } from '../clock.ts';
import { type Random, randomInt } from '../random.ts';
import { Result, SocketError } from '../results/index.ts';
import { Cassette, type ConnectionKey, type RecordedConnect, type RecordedConnection, describeKey } from './cassette.ts';
import { Player, replayPair } from './player.ts';
import { tapSocket } from './tap.ts';

export type NetMode = 'live' | 'record' | 'replay';

/** lwIP's range for the ports it picks itself (TCP_LOCAL_PORT_RANGE_START … END). */
export const LOCAL_PORT_MIN = 0xc000;
export const LOCAL_PORT_MAX = 0xffff;

/** One dial as the hook sees it (after dial()'s own checks). */
export interface TapDial {
  /** As the module gave it, and the port it asked for (before any remapping). */
  host: string;
  port: number;
  tls: boolean;
  module?: string;
  /** The local port to connect from (0: any). */
  localPort: number;
  signal?: AbortSignal;
  /** dial()'s caller wants the address and (remapped) port once known. */
  onResolved?: (endpoint: { address: string; port: number }) => void;
  /** Registers a replayed connection with the fault set (reset-connections reaches it too). */
  track?: (socket: net.Socket, endpoint: { address: string; port: number }) => void;
}

/** The live dial: connect (and TLS) for real, telling `onResolved` where it went. */
export type LiveDial = (onResolved: (endpoint: { address: string; port: number }) => void) => Promise<net.Socket>;

export interface WorldNetOptions {
  clock: Clock;
  /** The seeded stream for local ports; absent: the system picks them. */
  ports?: Random;
  /** A replay miss (the world emits 'replay-miss'). */
  onMiss: (description: string) => void;
}

export class WorldNet {
  private current: NetMode = 'live';
  private tape: Cassette | null = null;
  /** Dials per key so far in this mode: the next one's ordinal. */
  private readonly counts = new Map<string, number>();

  constructor(private readonly opts: WorldNetOptions) {}

  get mode(): NetMode {
    return this.current;
  }

  /** The cassette being recorded or replayed (null when live). */
  get cassette(): Cassette | null {
    return this.tape;
  }

  /** Switches mode; record without a cassette starts an empty one; replay needs one. Ordinals start again. */
  set(mode: NetMode, cassette?: Cassette): void {
    if (mode === 'replay' && !cassette) throw new Error('replay needs a cassette');
    this.current = mode;
    this.tape = mode === 'live' ? null : (cassette ?? Cassette.empty());
    this.counts.clear();
  }

  /** The port asked for, or (asked 0, with a seed) one from the seeded stream; 0 leaves it to the system. */
  localPort(asked: number): number {
    if (asked !== 0 || !this.opts.ports) return asked;
    return randomInt(this.opts.ports, LOCAL_PORT_MIN, LOCAL_PORT_MAX);
  }

  /** Records or replays one dial; live mode never comes here. */
  dial(request: TapDial, live: LiveDial): Promise<net.Socket> {
    const tape = this.tape;
    if (this.current === 'live' || !tape) return live((endpoint) => request.onResolved?.(endpoint));
    const key = this.keyFor(request);
    return this.current === 'record' ? this.record(tape, key, request, live) : this.replay(tape, key, request);
  }

  /** UDP is not recorded: in replay a UDP client fails loudly (a miss) instead of reaching the network. */
  udpRefused(host: string, port: number, module?: string): SocketError | null {
    if (this.current !== 'replay') return null;
    const description = `replay: UDP is not replayed (${host}:${port}${module === undefined ? '' : `, ${module}`})`;
    this.miss(description);
    return new SocketError(Result.UNKNOWN_ERROR, description);
  }

  /** Reports a miss: on the cassette and to the world's listeners. */
  miss(description: string): void {
    this.tape?.misses.push(description);
    this.opts.onMiss(description);
  }

  private keyFor(request: TapDial): ConnectionKey {
    const id = [request.module ?? '', request.host.toLowerCase(), request.port, request.tls].join('|');
    const ordinal = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, ordinal);
    return { host: request.host, port: request.port, tls: request.tls, ...(request.module === undefined ? {} : { module: request.module }), ordinal };
  }

  private async record(tape: Cassette, key: ConnectionKey, request: TapDial, live: LiveDial): Promise<net.Socket> {
    const started = this.opts.clock.now();
    const since = (): number => Math.max(0, this.opts.clock.now() - started);
    // In the cassette from the start, so connections keep the order their dials began in.
    const entry: RecordedConnection = { key, connect: { ok: false, atMs: 0, result: Result.UNKNOWN_ERROR, message: 'dial under way' }, events: [] };
    tape.connections.push(entry);
    let endpoint: { address: string; port: number } | null = null;
    let socket: net.Socket;
    try {
      socket = await live((ep) => {
        endpoint = ep;
        request.onResolved?.(ep);
      });
    } catch (error) {
      entry.connect = failureOf(error, since(), request.signal?.aborted === true);
      throw error;
    }
    const at = endpoint ?? { address: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 };
    entry.connect = { ok: true, atMs: since(), address: at.address, port: at.port };
    tapSocket(socket, entry, since);
    return socket;
  }

  private async replay(tape: Cassette, key: ConnectionKey, request: TapDial): Promise<net.Socket> {
    const entry = tape.find(key);
    if (!entry) {
      const description = `replay: no recorded connection for ${describeKey(key)}`;
      this.miss(`${description} (${key.tls ? 'TLS' : 'TCP'}${key.module === undefined ? '' : `, ${key.module}`})`);
      throw new SocketError(Result.UNKNOWN_ERROR, description);
    }
    const { connect } = entry;
    if (!connect.ok) {
      if (connect.aborted && request.signal) {
        // The module gave up on this dial in the recording: it stays pending until it does again.
        const signal = request.signal;
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
        throw new SocketError(Result.UNKNOWN_ERROR, `dial to ${request.host}:${request.port} aborted`, { cause: signal.reason });
      }
      throw new SocketError(codeOf(connect.result), connect.message, connect.cause === undefined && connect.causeMessage === undefined ? {} : { cause: causeOf(connect) });
    }
    const endpoint = { address: connect.address, port: connect.port };
    request.onResolved?.(endpoint);
    const { near, far } = await replayPair(request.localPort);
    if (request.signal?.aborted) {
      near.destroy();
      far.destroy();
      throw new SocketError(Result.UNKNOWN_ERROR, `dial to ${request.host}:${request.port} aborted`, { cause: request.signal.reason });
    }
    new Player(near, far, entry, (d) => this.miss(d));
    request.track?.(near, endpoint);
    return near;
  }
}

function failureOf(error: unknown, atMs: number, aborted: boolean): RecordedConnect {
  const result = error instanceof SocketError ? error.result : Result.UNKNOWN_ERROR;
  const message = error instanceof Error ? error.message : String(error);
  const inner = innermost(error);
  return {
    ok: false,
    atMs,
    result,
    message,
    ...(inner?.code === undefined ? {} : { cause: inner.code }),
    ...(inner ? { causeMessage: inner.message } : {}),
    ...(aborted ? { aborted: true } : {}),
  };
}

/** The deepest error under a failure, with the innermost code found on the way (as causeCode does). */
function innermost(error: unknown): { code?: string; message: string } | undefined {
  let found: { code?: string; message: string } | undefined;
  const seen = new Set<unknown>();
  for (let e = error instanceof Error ? error.cause : undefined; e !== undefined && !seen.has(e); e = e instanceof Error ? e.cause : undefined) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    if (typeof code === 'string' && !code.startsWith('FC41D_')) found = { code, message };
    else if (!found?.code) found = { message };
  }
  return found;
}

function causeOf(connect: Extract<RecordedConnect, { ok: false }>): Error {
  const error = new Error(connect.causeMessage ?? connect.cause ?? 'recorded failure') as NodeJS.ErrnoException;
  if (connect.cause !== undefined) error.code = connect.cause;
  return error;
}

function codeOf(result: number): ConstructorParameters<typeof SocketError>[0] {
  const known = Object.values(Result) as number[];
  return (known.includes(result) && result !== Result.OK ? result : Result.UNKNOWN_ERROR) as ConstructorParameters<typeof SocketError>[0];
}
