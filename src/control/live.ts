/**
 * `WebSocket /api/live`: every trace record as it happens, one JSON text message each;
 * `?module=<i>` keeps one module's. A client that stops reading is dropped (1013) once 8 MiB
 * wait for it, rather than growing the process. Messages from clients are ignored.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from './api-error.ts';
import type { ControlContext } from './context.ts';
import { parseTraceQuery } from './trace-query.ts';

const MAX_BUFFERED = 8 * 1024 * 1024;

export class LiveFeed {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });

  constructor(private readonly ctx: ControlContext) {}

  /** Takes an upgrade to /api/live that passed the security checks. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    let module: string | undefined;
    try {
      module = parseTraceQuery(this.ctx, url.searchParams).module;
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(400, String(e));
      return refuseUpgrade(socket, error.status, JSON.stringify(error));
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, module));
  }

  private serve(ws: WebSocket, module: string | undefined): void {
    ws.on('error', () => {}); // a client's trouble ends its socket, nothing else
    const unsubscribe = this.ctx.trace.subscribe((record) => {
      if (module !== undefined && record.module !== module) return;
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED) return ws.close(1013, 'not reading: too far behind');
      ws.send(JSON.stringify(record));
    });
    ws.on('close', unsubscribe);
  }

  /** Closes every client (1001, going away). */
  close(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'the emulator is stopping');
    this.wss.close();
  }
}

/** Answers an upgrade with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Error';
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
