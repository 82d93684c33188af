/**
 * One MQTT session's connected socket: MQTT packets out (mqtt-packet's `generate`) and in (its
 * `parser`), in order, one at a time. Holding (pause) stops reading the socket, so the broker is
 * pushed back by TCP, and keeps the packets already parsed for later: nothing received is
 * dropped. The end of the connection (peer FIN, reset, error, an unparseable packet) is reported
 * once, after every packet received before it was handed over.
 */
import { generate, type Packet, parser as packetParser } from 'mqtt-packet';
import type net from 'node:net';
import type { Clock } from '../clock.ts';
import { closeWithin } from '../net/close-within.ts';
import { describeError } from '../net/link.ts';

export interface WireHandlers {
  packet(packet: Packet): void;
  /** The connection ended without this side closing it. */
  ended(reason: string): void;
}

export class Wire {
  private readonly parser = packetParser();
  private readonly queue: Packet[] = [];
  private held = false;
  private delivering = false;
  /** Closed or destroyed by this side: nothing more is reported. */
  private silenced = false;
  private endReason: string | null = null;
  private reported = false;
  /** Clock time of the last packet written (keep-alive). */
  lastSent: number;

  constructor(
    private readonly socket: net.Socket,
    private readonly clock: Clock,
    private readonly handlers: WireHandlers,
  ) {
    this.lastSent = clock.now();
    this.parser.on('packet', (packet: Packet) => this.queue.push(packet));
    this.parser.on('error', (error: Error) => {
      this.end(`bad packet from the broker: ${error.message}`);
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.silenced) return;
      this.parser.parse(chunk);
      this.deliver();
    });
    socket.on('error', (error) => this.end(describeError(error)));
    socket.on('end', () => this.end('the broker closed the connection'));
    socket.on('close', () => this.end('connection closed'));
    // Reported later, when the owner holds this wire.
    if (socket.destroyed) queueMicrotask(() => this.end('connection closed'));
  }

  /** Writes a packet; `written` once it is handed to the system. False: not sendable (bad packet or socket gone). */
  send(packet: Packet, written?: (ok: boolean) => void): boolean {
    if (this.silenced || this.socket.destroyed || !this.socket.writable) return false;
    let bytes: Buffer;
    try {
      bytes = generate(packet);
    } catch {
      return false;
    }
    this.lastSent = this.clock.now();
    this.socket.write(bytes, (error) => written?.(!error));
    return true;
  }

  /** Stops reading the socket; the packets already parsed wait. */
  hold(): void {
    if (this.held) return;
    this.held = true;
    this.socket.pause();
  }

  /** Hands over the waiting packets, then reads the socket again. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.deliver();
    if (!this.held && !this.silenced) this.socket.resume();
  }

  /**
   * Closes from this side: `last` (a DISCONNECT) goes out first, then FIN; what still arrives is
   * read and thrown away so the peer's FIN gets through; destroyed after `timeoutMs` at the latest.
   */
  close(timeoutMs: number, last?: Packet): Promise<void> {
    this.silenced = true;
    const s = this.socket;
    return closeWithin(s, this.clock, timeoutMs, () => {
      s.resume();
      if (last && s.writable) {
        try {
          s.write(generate(last));
        } catch {
          // not sendable: closed without it
        }
      }
      s.end();
    });
  }

  /** Drops the connection at once (reset, power-off); nothing more is reported. */
  destroy(): void {
    this.silenced = true;
    this.socket.destroy();
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (!this.held && !this.silenced && this.queue.length > 0) this.handlers.packet(this.queue.shift()!);
    } finally {
      this.delivering = false;
    }
    this.reportEnd();
  }

  private end(reason: string): void {
    if (this.endReason !== null) return;
    this.endReason = reason;
    this.reportEnd();
  }

  /** The end, once every packet before it has been handed over. */
  private reportEnd(): void {
    if (this.endReason === null || this.reported || this.silenced || this.delivering || this.queue.length > 0) return;
    this.reported = true;
    this.handlers.ended(this.endReason);
  }
}
