/**
 * A local service the default world names (the MQTT broker, the HTTP test service): unless the
 * world's hosts map already names `host` (a world file pointing it at a server of its own),
 * start the service and map the name's well-known ports to the ports it really got. Null when the
 * world keeps its own entry.
 */
import type net from 'node:net';
import type { World } from './world.ts';

export interface LocalService {
  readonly address: string;
  close(): Promise<void>;
}

export async function startMapped<S extends LocalService>(
  world: World,
  host: string,
  start: () => Promise<S>,
  ports: (service: S) => Record<number, number>,
): Promise<S | null> {
  if (world.resolveHost(host) !== undefined) return null;
  const service = await start();
  const mapped = Object.fromEntries(Object.entries(ports(service)).map(([name, real]) => [String(name), real]));
  if (!world.addHost(host, { address: service.address, ports: mapped })) {
    await service.close(); // named meanwhile: the world's entry wins
    return null;
  }
  return service;
}

/** Listens on a free port of 127.0.0.1; resolves the port, rejects when the server cannot listen. */
export function listenLocal(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
