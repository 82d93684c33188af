/**
 * BLE transparent mode (AT+QBLETRANMODE, FIDELITY.md: firmware A07 and later): the host's bytes
 * go to one characteristic — written by a central, notified by a peripheral — in packets of at
 * most mtu − 3 bytes; while the link's queue is full the host is held (RTS) until it drains. The
 * link's data goes to the host (service.ts). `+++` ends the session, back to commands.
 */
import type { TransparentSession } from '../at/engine.ts';
import type { HostLine } from '../feature/feature.ts';
import type { BleLink } from '../world/ble/types.ts';
import { sendInPackets, type Side } from './link-data.ts';

export class BleTransparent implements TransparentSession {
  private ended = false;
  private holding = false;

  constructor(
    private readonly link: BleLink,
    private readonly side: Side,
    private readonly uuid: string,
    private readonly line: HostLine,
    /** The session is over (`+++` or the link ended). */
    private readonly onEnd: () => void,
  ) {
    link.on('drain', this.onDrain);
  }

  fromHost(bytes: Buffer): void {
    if (this.ended || !this.link.open) return;
    try {
      const send = this.side === 'central' ? (p: Buffer) => this.link.write(this.uuid, p) : (p: Buffer) => this.link.notify(this.uuid, p);
      if (!sendInPackets(this.link, bytes, send) && !this.holding) {
        this.holding = true;
        this.line.holdInput(true);
      }
    } catch {
      // The link closed under us: its end ends the session (NO CARRIER).
    }
  }

  isOpen(): boolean {
    return !this.ended && this.link.open;
  }

  /** `+++`: commands again; the link stays up. */
  onEscape(): void {
    this.stop();
  }

  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.link.off('drain', this.onDrain);
    if (this.holding) this.line.holdInput(false);
    this.holding = false;
    this.onEnd();
  }

  private readonly onDrain = (side: Side): void => {
    if (side !== this.side || !this.holding) return;
    this.holding = false;
    this.line.holdInput(false);
  };
}
