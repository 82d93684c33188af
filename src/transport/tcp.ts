/**
 * TCP transport: a server whose connection is the module's UART wire. It only moves
 * bytes; the AT engine behind the HostPort does all the parsing.
 *
 * One host at a time, as on a wire: while a host is connected, a second connection is
 * closed at once without a byte sent (it never sees `ready` or anything else) and the
 * first keeps working. When the host disconnects it is detached, so the next connection
 * attaches; the module stays powered, so that host gets no new `ready`.
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

export async function startTcpTransport(host: string, port: number, hostPort: HostPort): Promise<TcpTransport> {
  let current: Socket | null = null;
  const server = createServer((socket) => {
    if (current) {
      socket.destroy(); // the wire is taken: close without a byte
      return;
    }
    current = socket;
    socket.setNoDelay(true); // AT round trips are tiny; Nagle would add latency to each
    // Backed up only past HOST_BACKLOG_BYTES: far above the stream's 16 KiB mark, so 'drain'
    // follows, and the module keeps streaming while the kernel takes the rest.
    const attachment = hostPort.attach((bytes) => socket.writable && (socket.write(bytes), socket.writableLength < HOST_BACKLOG_BYTES), {
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    socket.on('data', (bytes: Buffer) => attachment.write(bytes));
    socket.on('drain', () => attachment.drained());
    socket.on('error', () => {}); // a reset by the host; 'close' follows
    socket.on('close', () => {
      current = null;
      attachment.detach();
    });
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
