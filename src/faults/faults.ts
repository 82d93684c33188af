/**
 * The world's active faults (`world.faults`): what the control API and tests started and not yet
 * removed. The parts that may meet a fault ask `find(kind, ctx)` and count with `hit()`; dial()
 * registers the connections it made with `track()`, so `reset-connections` can reset the open ones
 * at once (a real RST). Events: `started`/`stopped` (for the trace), `hit` (each time one acted).
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { z } from 'zod';
import { type Fault, type FaultContext, type FaultKind, FaultSpecSchema, type FaultSpecInput } from './types.ts';

export type { Fault, FaultContext, FaultKind, FaultSpecInput } from './types.ts';

/** A fault spec that does not fit the schema; `field` names the first bad field (`rate`, `kind`, …). */
export class FaultSpecError extends Error {
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.name = 'FaultSpecError';
    this.field = field;
  }
}

export interface FaultSetEvents {
  started: [fault: Fault];
  stopped: [fault: Fault];
  /** A fault acted `n` times (a connection refused, bytes dropped, …); `ctx` is the case it met. */
  hit: [fault: Fault, n: number, ctx: FaultContext];
}

export interface FaultSetOptions {
  /** [0, 1) for `chance()`; default Math.random (seedable later). */
  random?: () => number;
  /** The wall clock of `Fault.started`. */
  now?: () => Date;
}

interface Tracked {
  socket: net.Socket;
  ctx: FaultContext;
}

export class FaultSet extends EventEmitter<FaultSetEvents> {
  private readonly faults = new Map<string, Fault>();
  private readonly live = new Set<Tracked>();
  private readonly source: () => number;
  private readonly now: () => Date;
  private counter = 0;

  constructor(opts: FaultSetOptions = {}) {
    super();
    this.setMaxListeners(0); // every module's trace may listen
    this.source = opts.random ?? Math.random;
    this.now = opts.now ?? (() => new Date());
  }

  /** Whether any fault is active (the cheap test before a lookup on hot paths). */
  get size(): number {
    return this.faults.size;
  }

  /** Validates and starts a fault; `reset-connections` resets the matching live connections now. */
  add(spec: FaultSpecInput): Fault {
    const parsed = FaultSpecSchema.safeParse(spec);
    if (!parsed.success) throw specError(parsed.error);
    const fault: Fault = { ...parsed.data, id: `f${++this.counter}`, started: this.now().toISOString(), hits: 0 };
    this.faults.set(fault.id, fault);
    this.emit('started', { ...fault });
    if (fault.kind === 'reset-connections') this.resetMatching(fault);
    return { ...fault };
  }

  /** Stops a fault; undefined when there is none with that id. */
  remove(id: string): Fault | undefined {
    const fault = this.faults.get(id);
    if (!fault) return undefined;
    this.faults.delete(id);
    this.emit('stopped', { ...fault });
    return { ...fault };
  }

  get(id: string): Fault | undefined {
    const fault = this.faults.get(id);
    return fault && { ...fault };
  }

  /** Active faults in the order they were added (copies). */
  list(): Fault[] {
    return [...this.faults.values()].map((f) => ({ ...f }));
  }

  /** The first active fault of this kind that applies to the case (the live object: pass it to hit()). */
  find<K extends FaultKind>(kind: K, ctx: FaultContext): Extract<Fault, { kind: K }> | undefined {
    if (this.faults.size === 0) return undefined;
    for (const fault of this.faults.values()) {
      if (fault.kind === kind && matches(fault, ctx)) return fault as Extract<Fault, { kind: K }>;
    }
    return undefined;
  }

  /** Counts that a fault acted (`n` times) and tells the listeners. */
  hit(fault: Fault, n = 1, ctx: FaultContext = {}): void {
    if (n <= 0) return;
    const live = this.faults.get(fault.id);
    if (live) live.hits += n;
    else fault.hits += n;
    this.emit('hit', { ...(live ?? fault) }, n, ctx);
  }

  /** True with probability `rate`. */
  chance(rate: number): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return this.source() < rate;
  }

  /** [0, 1) from the set's random source. */
  random(): number {
    return this.source();
  }

  /** A live TCP connection dial() made (the raw TCP socket, under any TLS); forgotten on close. */
  track(socket: net.Socket, ctx: FaultContext): void {
    if (socket.destroyed) return;
    const entry: Tracked = { socket, ctx };
    this.live.add(entry);
    socket.once('close', () => this.live.delete(entry));
  }

  /** Removes every fault (with `stopped`) and forgets the connections: the world is being disposed. */
  clear(): void {
    for (const id of [...this.faults.keys()]) this.remove(id);
    this.live.clear();
  }

  private resetMatching(fault: Fault): void {
    let n = 0;
    for (const entry of [...this.live]) {
      if (!matches(fault, entry.ctx) || entry.socket.destroyed) continue;
      this.live.delete(entry);
      resetSocket(entry.socket);
      n++;
    }
    if (n > 0) this.hit(fault, n, { ...(fault.module === undefined ? {} : { module: fault.module }) });
  }
}

/** A real RST to the peer; the socket closes here as a reset one does. */
function resetSocket(socket: net.Socket): void {
  socket.on('error', () => {}); // nothing here may throw
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy(); // not a TCP handle (never expected: track() gets raw sockets)
  }
}

/** Module, host (as given or resolved, any case), port and SSID, each only where the fault names one. */
function matches(fault: Fault, ctx: FaultContext): boolean {
  if (fault.module !== undefined && fault.module !== ctx.module) return false;
  if ('host' in fault && fault.host !== undefined) {
    const want = fault.host.toLowerCase();
    if (ctx.host?.toLowerCase() !== want && ctx.address?.toLowerCase() !== want) return false;
  }
  if ('port' in fault && fault.port !== undefined && fault.port !== ctx.port) return false;
  if ('ssid' in fault && fault.ssid !== ctx.ssid) return false;
  return true;
}

/** The first issue, with the field it is about (an unknown field names itself). */
function specError(error: z.ZodError): FaultSpecError {
  const issue = error.issues[0];
  if (!issue) return new FaultSpecError('invalid fault', '');
  let path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path = [...path, issue.keys[0]!];
  const field = path.join('.');
  const message = issue.code === 'unrecognized_keys' ? `unknown field "${field}"` : `${field || 'fault'}: ${issue.message}`;
  return new FaultSpecError(message, field);
}
