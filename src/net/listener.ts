/**
 * A TCP LISTENER: a real server on the listen host, at the module's local port if the host has
 * it free, else on any free port (`port` says which). Connections are accepted by Node with
 * `pauseOnConnect`, so nothing is read from one until the service gives it a socket id; those
 * waiting for AT+QIACCEPT (manual accept mode) sit in `pending`, oldest first.
 */
import net from 'node:net';
import { describeError } from './link.ts';
import { withPortFallback } from './ports.ts';

export class TcpListener {
  private readonly pending: net.Socket[] = [];
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Listens (preferred port, else any); `onConnection` gets each new, paused socket. */
  static async open(
    host: string,
    preferredPort: number,
    onConnection: (socket: net.Socket) => void,
    onError: (detail: string) => void,
  ): Promise<TcpListener> {
    const server = await withPortFallback(preferredPort, (port) => listen(host, port));
    const listener = new TcpListener(server, host, (server.address() as net.AddressInfo).port);
    server.on('error', (error) => onError(describeError(error)));
    server.on('connection', (socket) => {
      socket.on('error', () => {}); // whoever takes the socket adds its own handling
      if (listener.closed) socket.destroy();
      else onConnection(socket);
    });
    return listener;
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** Keeps a connection until accept(); it leaves the queue if it goes away meanwhile. */
  queue(socket: net.Socket): void {
    this.pending.push(socket);
    socket.once('close', () => {
      const at = this.pending.indexOf(socket);
      if (at >= 0) this.pending.splice(at, 1);
    });
  }

  /** The oldest waiting connection. */
  take(): net.Socket | undefined {
    return this.pending.shift();
  }

  /** Stops listening and drops waiting connections; connections already given ids stay open. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    for (const socket of this.pending.splice(0)) socket.destroy();
  }
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: true, noDelay: true });
    const onError = (error: Error): void => {
      server.removeListener('listening', onListening);
      server.close();
      reject(error);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** A connection refused for want of a socket id, or rejected with AT+QIACCEPT=<id>,0: RST. */
export function refuse(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.resetAndDestroy();
}
