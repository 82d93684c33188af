/**
 * A feature's saved settings (what the manual says is "saved automatically"): a working copy in
 * RAM that commands change, over a typed section of the flash. The registry writes it after a
 * saved command succeeds and reloads it after one fails (registry.ts); services that save outside
 * a command (provisioning) call persist() themselves.
 */
import type { SavedSettings } from '../commands/registry.ts';

/** A named part of the flash, validated by its schema (defaults fill what is missing). */
export interface FlashSection<T> {
  read(): T;
  write(value: T): void;
}

export class Saved<T> implements SavedSettings {
  private current: T;
  /** What the last persist() wrote (JSON), to skip writing the same again. */
  private written: string | undefined;

  constructor(private readonly section: FlashSection<T>) {
    this.current = section.read();
  }

  /** The working copy: change it, and the command's success writes it. */
  get value(): T {
    return this.current;
  }

  /**
   * Writes the working copy, unless this object wrote exactly that already and the flash still
   * holds it (a query form of a saved command changes nothing, and costs no write).
   */
  persist(): void {
    const text = JSON.stringify(this.current);
    if (text === this.written && JSON.stringify(this.section.read()) === text) return;
    this.section.write(this.current);
    this.written = text;
    this.current = this.section.read();
  }

  /** Back to what the flash holds (a failed command's changes are dropped; also at boot). */
  revert(): void {
    this.current = this.section.read();
  }
}
