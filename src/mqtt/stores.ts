/**
 * Buffer mode (§2.5.9, §3.5.1 `<recvmode>` 1): five stores per client, each holding one message
 * until AT+QMTRECV reads it. When all five hold one, the client stops reading its socket (the
 * broker is pushed back by TCP) until the host reads: nothing the broker sent is dropped.
 */
export interface StoredMessage {
  msgId: number;
  topic: string;
  payload: Buffer;
}

export const STORES = 5;

export class RecvStores {
  private readonly slots: (StoredMessage | null)[] = Array.from({ length: STORES }, () => null);

  /** Keeps a message in the lowest free store; its id, or null when all are full. */
  put(message: StoredMessage): number | null {
    const id = this.slots.indexOf(null);
    if (id < 0) return null;
    this.slots[id] = message;
    return id;
  }

  get full(): boolean {
    return !this.slots.includes(null);
  }

  /** Takes one store's message, or all of them in store order. */
  take(store?: number): StoredMessage[] {
    const ids = store === undefined ? this.slots.map((_, i) => i) : [store];
    const out: StoredMessage[] = [];
    for (const id of ids) {
      const message = this.slots[id];
      if (message) out.push(message);
      this.slots[id] = null;
    }
    return out;
  }

  /** §2.5.9 read form: `<store_status4>,…,<store_status0>` (1 = a message waits). */
  status(): number[] {
    return this.slots.map((m) => (m ? 1 : 0)).reverse();
  }

  clear(): void {
    this.slots.fill(null);
  }
}
