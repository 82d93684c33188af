/**
 * The requests of one MQTT session that wait for an ack (§2.5.1 "timeout": <delivery_tm>,
 * <delivery_cnt>, <timeout_report>): each is sent once, waited for `deliveryMs`, re-sent up to
 * `count` times (waiting again after each), then given up. Keyed by the packet kind and the
 * host's msgID, which is what goes on the wire. A wait that ends while the session is held
 * (`held()`: the socket is not being read, so the ack may be sitting unread in it) is started
 * again without counting.
 */
import type { Clock } from '../clock.ts';

export type InflightKind = 'publish' | 'subscribe' | 'unsubscribe';

/** How long to wait and how often to retry, fixed at connect(). */
export interface Delivery {
  deliveryMs: number;
  count: number;
}

export interface InflightHandlers {
  /** Sends the packet again (PUBLISH with DUP, PUBREL, SUBSCRIBE, UNSUBSCRIBE). */
  resend(): void;
  /** After each retransmission: how many so far for the packet being waited on. */
  retransmitted(count: number): void;
  /** The last retransmission went unanswered too. */
  gaveUp(): void;
}

interface Entry<Stage> {
  kind: InflightKind;
  msgId: number;
  stage: Stage;
  handlers: InflightHandlers;
  retries: number;
  timer: unknown;
}

export class Inflight<Stage = null> {
  private readonly entries = new Map<string, Entry<Stage>>();

  constructor(
    private readonly clock: Clock,
    private readonly delivery: () => Delivery,
    private readonly held: () => boolean,
  ) {}

  has(kind: InflightKind, msgId: number): boolean {
    return this.entries.has(key(kind, msgId));
  }

  /** Where a request is (a QoS 2 publish: waiting for PUBREC or for PUBCOMP), or undefined. */
  stage(kind: InflightKind, msgId: number): Stage | undefined {
    return this.entries.get(key(kind, msgId))?.stage;
  }

  /** Starts waiting for the ack of a request just sent. */
  track(kind: InflightKind, msgId: number, stage: Stage, handlers: InflightHandlers): void {
    const k = key(kind, msgId);
    if (this.entries.has(k)) throw new Error(`${kind} ${msgId} is already waiting for its ack`);
    const entry: Entry<Stage> = { kind, msgId, stage, handlers, retries: 0, timer: null };
    this.entries.set(k, entry);
    this.arm(entry);
  }

  /** The next packet of the same exchange went out (PUBREL after PUBREC): a fresh wait and retry budget. */
  advance(kind: InflightKind, msgId: number, stage: Stage, handlers: InflightHandlers): void {
    const entry = this.entries.get(key(kind, msgId));
    if (!entry) return;
    this.clock.clearTimeout(entry.timer);
    Object.assign(entry, { stage, handlers, retries: 0 });
    this.arm(entry);
  }

  /** The ack came: stops waiting. False when nothing was waiting for it. */
  settle(kind: InflightKind, msgId: number): boolean {
    const entry = this.entries.get(key(kind, msgId));
    if (!entry) return false;
    this.clock.clearTimeout(entry.timer);
    this.entries.delete(key(kind, msgId));
    return true;
  }

  /** Stops every wait; what was still waiting, in the order it was sent. */
  clear(): { kind: InflightKind; msgId: number }[] {
    const pending = [...this.entries.values()].map(({ kind, msgId, timer }) => {
      this.clock.clearTimeout(timer);
      return { kind, msgId };
    });
    this.entries.clear();
    return pending;
  }

  private arm(entry: Entry<Stage>): void {
    entry.timer = this.clock.setTimeout(() => this.expired(entry), this.delivery().deliveryMs);
  }

  private expired(entry: Entry<Stage>): void {
    if (this.entries.get(key(entry.kind, entry.msgId)) !== entry) return;
    if (this.held()) return this.arm(entry);
    if (entry.retries >= this.delivery().count) {
      this.entries.delete(key(entry.kind, entry.msgId));
      return entry.handlers.gaveUp();
    }
    entry.retries++;
    this.arm(entry);
    entry.handlers.resend();
    if (this.entries.get(key(entry.kind, entry.msgId)) === entry) entry.handlers.retransmitted(entry.retries);
  }
}

function key(kind: InflightKind, msgId: number): string {
  return `${kind}:${msgId}`;
}
