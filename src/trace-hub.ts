/**
 * One process's trace: every record of its modules and its world, stamped once (`time` wall
 * clock ISO, `t` ms since tracing started, `module` label) and handed to the subscribers (the
 * `--trace` file, the control API's live WebSocket) and to a bounded in-memory store that
 * `GET /api/trace` reads: the last `capacity` records (0 keeps none), and no more than
 * TRACE_STORE_BYTES of their text (transparent-mode data can come in 64 KiB chunks).
 */
import type { Fc41dModule } from './device/module.ts';
import { recordModule, recordWorld, type TraceEvent } from './trace-records.ts';
import type { World } from './world/world.ts';

export type TraceRecord = TraceEvent & { time: string; t: number; module?: string };

export interface TraceQuery {
  /** Only this module's records (its label). */
  module?: string;
  /** Epoch ms: records at or after it. */
  since?: number;
  /** Epoch ms: records at or before it. */
  until?: number;
}

export type TraceListener = (record: TraceRecord) => void;

/** Records kept for GET /api/trace when the control API runs. */
export const TRACE_STORE_RECORDS = 50_000;
/** …and at most this much of their `text` (older records go first). */
export const TRACE_STORE_BYTES = 64 * 1024 * 1024;

/** A record's weight in the store: its text, and a little for the rest. */
const weigh = (record: TraceRecord) => 200 + (typeof record.text === 'string' ? record.text.length : 0);

export class TraceHub {
  private readonly start = performance.now();
  private readonly listeners = new Set<TraceListener>();
  private readonly detachers: (() => void)[] = [];
  /** The stored records, oldest first from `head` (the array is compacted now and then). */
  private stored: { at: number; record: TraceRecord; weight: number }[] = [];
  private head = 0;
  private weight = 0;
  private closed = false;

  constructor(
    private readonly capacity = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a module's traffic and events from now on. */
  attach(module: Fc41dModule): void {
    if (this.closed) return;
    this.detachers.push(recordModule(module, (event) => this.write(event, module.label)));
  }

  /** Records the world's faults starting and stopping. */
  attachWorld(world: World): void {
    if (this.closed) return;
    this.detachers.push(recordWorld(world, (event, module) => this.write(event, module)));
  }

  /** Records one event (e.g. a change made through the control API); no `module`: the world's. */
  write(event: TraceEvent, module?: string): void {
    if (this.closed) return;
    const at = this.now();
    const record: TraceRecord = {
      time: new Date(at).toISOString(),
      t: Number((performance.now() - this.start).toFixed(3)),
      ...(module === undefined ? {} : { module }),
      ...event,
    };
    if (this.capacity > 0) this.store(at, record);
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A subscriber's trouble (a closed socket) must not stop the module that emitted.
      }
    }
  }

  /** Calls `listener` with every record from now on; returns what unsubscribes. */
  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The stored records that fit, oldest first. */
  records(query: TraceQuery = {}): TraceRecord[] {
    return this.stored
      .slice(this.head)
      .filter(
        ({ at, record }) =>
          (query.module === undefined || record.module === query.module) &&
          (query.since === undefined || at >= query.since) &&
          (query.until === undefined || at <= query.until),
      )
      .map(({ record }) => record);
  }

  private store(at: number, record: TraceRecord): void {
    const weight = weigh(record);
    this.stored.push({ at, record, weight });
    this.weight += weight;
    while (this.stored.length - this.head > this.capacity || (this.weight > TRACE_STORE_BYTES && this.stored.length - this.head > 1)) {
      this.weight -= this.stored[this.head]!.weight;
      this.stored[this.head++] = undefined as never; // let it go now
    }
    if (this.head > 4096 && this.head * 2 > this.stored.length) {
      this.stored = this.stored.slice(this.head);
      this.head = 0;
    }
  }

  /** Stops listening to modules and world; subscribers hear nothing more. */
  close(): void {
    this.closed = true;
    for (const detach of this.detachers.splice(0)) detach();
    this.listeners.clear();
  }
}
