/**
 * A socket in transparent mode (§2.3.10, §2.3.11): the host's bytes go to the socket in
 * packets of `transpktsize`, a shorter rest after `transwaittm` × 100 ms of host silence
 * (at once when 0); the socket's bytes go to the host as they come, while the session owns
 * the line. After `+++` they wait in the socket's receive buffer until `ATO`.
 */
import type { TransparentSession } from '../at/engine.ts';
import type { Clock } from '../clock.ts';
import { SocketState, type SocketService } from '../net/types.ts';
import type { TcpipConfig } from './config.ts';

export interface LineOwner {
  ownsLine(session: TransparentSession): boolean;
  toHost(session: TransparentSession, bytes: Buffer): boolean;
  /** Flow control towards the host (the UART's RTS). */
  holdInput(hold: boolean): void;
  /** A host is not reading: leave the rest in the socket (TCP pushes back on the peer). */
  readonly outputBlocked: boolean;
}

export class TransparentSocket implements TransparentSession {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: unknown = null;
  /** A read can make the socket take more from the peer and report it at once: no nested delivery. */
  private delivering = false;

  constructor(
    readonly id: number,
    private readonly net: SocketService,
    private readonly line: LineOwner,
    private readonly config: () => TcpipConfig,
    private readonly clock: Clock,
  ) {}

  isOpen(): boolean {
    return this.net.info(this.id)?.state === SocketState.Connected;
  }

  fromHost(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const { transpktsize, transwaittm } = this.config();
    if (this.pendingBytes >= transpktsize) {
      // TCP keeps no packet boundaries: the whole packets go in one write. UDP sends each as a datagram.
      const whole = this.pendingBytes - (this.pendingBytes % transpktsize);
      if (this.net.info(this.id)?.type === 'UDP') while (this.pendingBytes >= transpktsize) this.sendPacket(transpktsize);
      else this.sendPacket(whole);
    }
    this.cancelTimer();
    if (this.pendingBytes === 0) return;
    if (transwaittm === 0) this.sendPacket(this.pendingBytes);
    else this.timer = this.clock.setTimeout(() => this.flushRest(), transwaittm * 100);
  }

  /** `+++`: what the host typed before it is sent now. */
  onEscape(): void {
    this.flushRest();
  }

  /** The socket took its backlog: the host may send again. */
  drained(): void {
    this.line.holdInput(false);
  }

  /** Moves received bytes to the host while this session owns the line and the host reads. */
  deliver(): void {
    if (this.delivering) return; // the running loop below picks the new bytes up, in order
    this.delivering = true;
    try {
      while (this.line.ownsLine(this) && !this.line.outputBlocked && this.net.unread(this.id) > 0) {
        const chunk = this.net.read(this.id, 64 * 1024);
        if (!chunk) return;
        this.line.toHost(this, chunk.data);
      }
    } finally {
      this.delivering = false;
    }
  }

  stop(): void {
    this.line.holdInput(false);
    this.cancelTimer();
    this.pending = [];
    this.pendingBytes = 0;
  }

  private flushRest(): void {
    this.cancelTimer();
    if (this.pendingBytes > 0) this.sendPacket(this.pendingBytes);
  }

  private sendPacket(size: number): void {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.net.send(this.id, all.subarray(0, size));
    // The peer is slower than the host: hold the host (RTS) until the socket drains.
    if (this.net.backlogged(this.id)) this.line.holdInput(true);
    const rest = all.subarray(size);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
