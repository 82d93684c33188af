/**
 * A connected TCP socket (client or incoming) feeding its bounded receive buffer. The link
 * reads from Node only what fits in the buffer (`socket.read(n)` in paused mode), so a full
 * buffer leaves the rest in the kernel and TCP flow control stops the peer; once the host has
 * read the buffer down to half, reading resumes. Peer FIN, RST or an error ends the link once.
 */
import type net from 'node:net';
import type { Clock } from '../clock.ts';
import { closeWithin } from './close-within.ts';
import { describeError, type Link, type LinkReports } from './link.ts';
import type { RecvBuffer } from './recv-buffer.ts';
import type { SendCounter } from './send-counter.ts';

/**
 * How much may wait in Node for the kernel before the sender is held. Above the stream's 16 KiB
 * high-water mark, so 'drain' is sure to follow, and large enough that the pipe never runs dry.
 */
export const BACKLOG_BYTES = 256 * 1024;

export class TcpLink implements Link {
  /** Host close or destroy: nothing more is reported. */
  private silenced = false;
  /** Why the socket ended; reported at once, or at start() if it ended before being reported open. */
  private endReason: string | null = null;
  /** After a host close, whatever still arrives is read and thrown away so the FIN gets through. */
  private discarding = false;
  private started = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly recv: RecvBuffer,
    private readonly sent: SendCounter,
    private readonly reports: LinkReports,
    private readonly clock: Clock,
  ) {
    socket.on('error', (error) => this.end(describeError(error)));
    socket.on('end', () => this.end('peer closed'));
    socket.on('close', () => this.end('closed'));
    socket.on('drain', () => this.reports.writable());
    if (socket.destroyed) this.end('closed');
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // A 'readable' listener puts the stream in paused mode and starts reading (also a socket
    // accepted with pauseOnConnect).
    if (!this.socket.destroyed) this.socket.on('readable', () => this.pull());
    if (this.endReason !== null && !this.silenced) this.reports.ended(this.endReason);
  }

  send(data: Buffer): boolean {
    const s = this.socket;
    if (s.destroyed || !s.writable) return false;
    this.sent.add(data.length);
    s.write(data, (error) => {
      if (!error) this.sent.ack(data.length);
    });
    return true;
  }

  /** Past BACKLOG_BYTES queued in Node (well above the stream's own mark, so writes keep flowing). */
  backlogged(): boolean {
    return this.socket.writableLength > BACKLOG_BYTES;
  }

  drained(): void {
    if (this.started && this.recv.unread <= this.recv.capacity / 2) this.pull();
  }

  close(timeoutMs: number): Promise<void> {
    this.silenced = true;
    return closeWithin(this.socket, this.clock, timeoutMs, () => {
      this.discarding = true;
      if (!this.started) this.start();
      else this.pull();
      this.socket.end();
    });
  }

  destroy(): void {
    this.silenced = true;
    this.socket.destroy();
  }

  /** Moves what fits from Node into the receive buffer; a read() at the end of the stream lets 'end' come. */
  private pull(): void {
    const s = this.socket;
    if (this.discarding) {
      while (s.read() !== null);
      return;
    }
    let added = 0;
    for (;;) {
      const space = this.recv.space;
      if (space <= 0) break;
      const n = Math.min(space, s.readableLength);
      const chunk = (n > 0 ? s.read(n) : s.read()) as Buffer | null;
      if (chunk === null) break;
      this.recv.push(chunk);
      added += chunk.length;
    }
    if (added > 0 && !this.silenced) this.reports.data();
  }

  private end(reason: string): void {
    if (this.endReason !== null) return;
    this.endReason = reason;
    if (this.started && !this.silenced) this.reports.ended(reason);
  }
}
