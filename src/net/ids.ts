/** The socket id space (0–11, FIDELITY.md) and the table of sockets that hold an id. */
import { MAX_SOCKETS } from './types.ts';

export function validId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id < MAX_SOCKETS;
}

/** Entries by id; an id is in use from the moment an open reserves it until close() frees it. */
export class IdTable<T> {
  private readonly entries = new Map<number, T>();

  get(id: number): T | undefined {
    return this.entries.get(id);
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  set(id: number, entry: T): void {
    this.entries.set(id, entry);
  }

  /** Removes the id only if it still holds this entry (a reset may have replaced it). */
  release(id: number, entry: T): void {
    if (this.entries.get(id) === entry) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The lowest id not in use; undefined when all 12 are taken. */
  lowestFree(): number | undefined {
    for (let id = 0; id < MAX_SOCKETS; id++) if (!this.entries.has(id)) return id;
    return undefined;
  }

  /** Entries in id order. */
  values(): T[] {
    return [...this.entries.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
  }
}
