/**
 * The default world's MQTT broker (issue 10 item 4): an in-process aedes broker that `fc41d serve`
 * and `fc41d console` start, so a module publishes with no set-up. It listens on free ports of
 * 127.0.0.1, plain MQTT and MQTT over TLS (the test CA's certificate for broker.fc41d.local,
 * test-ca.ts), and the world's hosts map sends the modules' `broker.fc41d.local:1883` and `:8883`
 * there (World.resolveHost's port remapping). A world whose hosts map names broker.fc41d.local
 * itself keeps its entry, and no broker starts. docs/mqtt-broker.md.
 *
 * Not for src/device/: a module reaches the broker through dial() like any other server.
 */
import { listenLocal, startMapped } from './mapped-service.ts';
import { Aedes } from 'aedes';
import net from 'node:net';
import tls from 'node:tls';
import { brokerCredentials, TEST_CA_SERVER_NAME } from './test-ca.ts';
import type { World } from './world.ts';

/** The name modules use, and the ports they ask for. */
export const BROKER_HOST = TEST_CA_SERVER_NAME;
export const BROKER_MQTT_PORT = 1883;
export const BROKER_MQTTS_PORT = 8883;

export interface WorldBroker {
  /** Where it really listens: 127.0.0.1 and the two ports the hosts map points at. */
  readonly address: '127.0.0.1';
  readonly mqttPort: number;
  readonly mqttsPort: number;
  readonly aedes: Aedes;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

/** Starts aedes with a plain and a TLS listener on free ports of 127.0.0.1. */
export async function startBroker(): Promise<WorldBroker> {
  const aedes = await Aedes.createBroker();
  // A client that breaks the protocol or vanishes is its own business, never the process's.
  aedes.on('clientError', () => {});
  aedes.on('connectionError', () => {});
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // aedes reports it as clientError; a reset is not a crash
    aedes.handle(socket);
  };
  const plain = net.createServer(accept);
  const secure = tls.createServer({ ...brokerCredentials() }, accept);
  // A failed handshake (a module that does not trust the CA) is the client's failure.
  secure.on('tlsClientError', () => {});
  const servers = [plain, secure];
  try {
    const [mqttPort, mqttsPort] = await Promise.all(servers.map(listenLocal));
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        const stopped = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await Promise.all(stopped);
      })());
    return { address: '127.0.0.1', mqttPort, mqttsPort, aedes, close };
  } catch (e) {
    for (const s of servers) s.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw e;
  }
}

/**
 * The broker of `world`: unless its hosts map already names broker.fc41d.local (a world file
 * pointing the name at a broker of its own), starts one and maps the name's 1883 and 8883 to it.
 * Null when the world keeps its own entry.
 */
export function startWorldBroker(world: World): Promise<WorldBroker | null> {
  return startMapped(world, BROKER_HOST, startBroker, (b) => ({ [BROKER_MQTT_PORT]: b.mqttPort, [BROKER_MQTTS_PORT]: b.mqttsPort }));
}

/** The lines serve and console print about it (stable: tests parse them). */
export function describeBroker(broker: WorldBroker | null, disabled: boolean): string[] {
  if (disabled) return ['broker off (--no-broker)'];
  if (!broker) return [`broker ${BROKER_HOST} is the world file's (no built-in broker)`];
  return [
    `broker ${BROKER_HOST}:${BROKER_MQTT_PORT} mqtt on ${broker.address}:${broker.mqttPort}`,
    `broker ${BROKER_HOST}:${BROKER_MQTTS_PORT} mqtts on ${broker.address}:${broker.mqttsPort} (test CA: fc41d ca)`,
  ];
}
