/**
 * TCP transport: a server whose connection is the module's UART wire. It only moves
 * bytes; the AT engine behind the HostPort does all the parsing.
 *
 * One host at a time, as on a wire: while a host is connected, a second connection is
 * closed at once without a byte sent (it never sees `ready` or anything else) and the
 * first keeps working. When the host disconnects (or half-closes: it can no longer be
 * written to) it is detached, so the next connection attaches; the module stays powered,
 * so that host gets no new `ready` — but it first reads whatever the module said while
 * no host was attached (src/device/held-output.ts), e.g. the `ready` of a boot that a
 * port probe (`nc -z`, wait-on) triggered. With `resetOnConnect` every new host
 * power-cycles the module instead, like a DTR line wired to reset, and reads a fresh `ready`.
 * Connects, disconnects and refusals are reported to the module (event `host`).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { HostPort } from './host-port.ts';

const HOST_BACKLOG_BYTES = 256 * 1024;

export interface TcpTransport {
  /** Where the server listens; `port` is the real one when 0 was asked for. */
  readonly address: { host: string; port: number };
  /** Stops listening and drops the connected host. */
  close(): Promise<void>;
}

export interface TcpTransportOptions {
  /** Each new host power-cycles the module (DTR reset) and reads a fresh `ready`. */
  resetOnConnect?: boolean;
}

/** `127.0.0.1:54321`, `[::1]:54321`. */
function peerOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '?';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? '?'}`;
}

export async function startTcpTransport(
  host: string,
  port: number,
  hostPort: HostPort,
  opts: TcpTransportOptions = {},
): Promise<TcpTransport> {
  let current: Socket | null = null;
  const server = createServer((socket) => {
    socket.on('error', () => {}); // a reset by the host; 'close' follows
    const peer = peerOf(socket);
    if (current) {
      socket.destroy(); // the wire is taken: close without a byte
      hostPort.refused?.(peer);
      return;
    }
    current = socket;
    socket.setNoDelay(true); // AT round trips are tiny; Nagle would add latency to each
    // Backed up only past HOST_BACKLOG_BYTES: far above the stream's 16 KiB mark, so 'drain'
    // follows, and the module keeps streaming while the kernel takes the rest.
    const attachment = hostPort.attach(
      (bytes) => {
        if (!socket.writable) return false; // gone: detach() follows at once
        socket.write(bytes);
        return socket.writableLength < HOST_BACKLOG_BYTES;
      },
      { pause: () => socket.pause(), resume: () => socket.resume() },
      { peer, reset: opts.resetOnConnect },
    );
    let attached = true;
    // The first of end/error/close: the host can no longer be written to, so what the module
    // says next is held for the next host rather than written into a dead socket.
    const gone = () => {
      if (!attached) return;
      attached = false;
      if (current === socket) current = null;
      attachment.detach();
    };
    socket.on('data', (bytes: Buffer) => attachment.write(bytes));
    socket.on('drain', () => attachment.drained());
    socket.on('end', gone);
    socket.on('error', gone);
    socket.on('close', gone);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  // Later errors are accept failures (e.g. out of file descriptors): report, keep serving.
  server.on('error', (e) => console.error(`tcp ${bound.address}:${bound.port}: ${e.message}`));

  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        current?.destroy();
      }),
  };
}
