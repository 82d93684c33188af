/**
 * Two connected TCP sockets on 127.0.0.1 (a one-shot ephemeral server): the fault relays hand the
 * `near` end to the module in place of the real connection and forward through the `far` end. A
 * real TCP socket, so everything above it (TLS, resets, Nagle off, flow control) behaves as on a
 * direct connection.
 */
import net from 'node:net';

export interface LoopbackPair {
  /** The client end: what the module gets. */
  near: net.Socket;
  /** The accepted end: what the relay reads and writes. */
  far: net.Socket;
}

/** `localPort`: the port the near end connects from (0: any). */
export function loopbackPair(localPort = 0): Promise<LoopbackPair> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a FIN from the module is relayed as a FIN, not answered at once.
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      let near: net.Socket | null = null;
      let far: net.Socket | null = null;
      const done = (): void => {
        if (!near || !far || near.connecting) return;
        server.close();
        resolve({ near, far });
      };
      server.once('connection', (socket) => {
        far = socket;
        socket.setNoDelay(true);
        socket.on('error', () => {}); // the relay watches 'close'
        done();
      });
      near = net.connect({ port, host: '127.0.0.1', noDelay: true, ...(localPort ? { localPort } : {}) });
      near.on('error', () => {}); // until the module's link takes it over
      near.once('error', (error) => {
        server.close();
        reject(error);
      });
      near.once('connect', done);
    });
  });
}

/** Ends a socket as a reset one ends (an RST where it is a TCP socket). */
export function resetSocket(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.on('error', () => {});
  try {
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy(); // not a TCP handle (a TLS socket): a plain destroy
  }
}
