/**
 * Optional pacing of module output at the configured UART baud rate (§2.1.7): each byte
 * takes 10 bit times (8N1), so a host sees the timing a real wire would give it.
 */
import type { Clock } from '../clock.ts';

export class OutputPacer {
  private lineFreeAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly baud: () => number,
    private readonly deliver: (bytes: Buffer) => void,
  ) {}

  send(bytes: Buffer): void {
    const now = this.clock.now();
    const start = Math.max(now, this.lineFreeAt);
    this.lineFreeAt = start + (bytes.length * 10 * 1000) / this.baud();
    // Timers with later deadlines fire later, so chunks keep their order.
    this.clock.setTimeout(() => this.deliver(bytes), this.lineFreeAt - now);
  }
}
