/**
 * A real aedes broker in-process, on a free port of 127.0.0.1 (plain TCP, or TLS with the given
 * key pair), for the MQTT tests. Its hooks (aedes' own: preConnect, authenticate,
 * authorizePublish, authorizeSubscribe) are set from `hooks`: refusing a CONNECT with a return
 * code, refusing a subscription (granted 128), recording what each CONNECT carried. `dropClients`
 * cuts every client connection as a dying broker would (no DISCONNECT, no FIN handshake needed).
 */
import { Aedes, type AedesOptions } from 'aedes';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

export type AedesHooks = Partial<Pick<Aedes, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>;

export interface TestAedes {
  readonly aedes: Aedes;
  readonly port: number;
  /** Every client connection the broker holds. */
  readonly sockets: ReadonlySet<net.Socket>;
  /** Resets every client connection (the broker or its host died). */
  dropClients(): void;
  close(): Promise<void>;
}

export interface StartAedesOptions {
  hooks?: AedesHooks;
  options?: AedesOptions;
  /** Serve MQTT over TLS with this certificate and key (and, say, `requestCert` with a `ca`). */
  tls?: tls.TlsOptions & { cert: Buffer; key: Buffer };
}

export async function startAedes(start: StartAedesOptions = {}): Promise<TestAedes> {
  const aedes = await Aedes.createBroker(start.options);
  Object.assign(aedes, start.hooks ?? {});
  aedes.on('clientError', () => {});
  aedes.on('connectionError', () => {});
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    aedes.handle(socket);
  };
  const server = start.tls ? tls.createServer({ ...start.tls }, accept) : net.createServer(accept);
  if (server instanceof tls.Server) server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    aedes,
    port,
    sockets,
    dropClients: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await stopped;
      })()),
  };
}

/** An error for aedes' authenticate that makes it answer CONNACK with `returnCode`. */
export function refusal(returnCode: 2 | 3 | 4 | 5): Error & { returnCode: number } {
  return Object.assign(new Error(`refused with ${returnCode}`), { returnCode });
}
