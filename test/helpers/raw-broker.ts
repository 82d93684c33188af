/**
 * A scripted MQTT "broker" on a real socket of 127.0.0.1, built on mqtt-packet, for what aedes
 * will not do on demand: withholding CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK or
 * PINGRESP, and sending packets of the test's choosing (a QoS 2 PUBLISH again with DUP, a
 * PUBREL). It records every packet it receives, in order, so a test can see what went on the
 * wire (msgIDs, DUP flags, PINGREQ). It answers with the plain acks a broker gives unless told
 * to withhold them; it routes nothing.
 */
import { once } from 'node:events';
import net from 'node:net';
import { generate, type Packet, parser } from 'mqtt-packet';

export type Answer = 'connack' | 'puback' | 'pubrec' | 'pubcomp' | 'suback' | 'unsuback' | 'pingresp';

export interface RawBroker {
  readonly port: number;
  /** Every packet received, in order, over every connection. */
  readonly received: Packet[];
  /** Answers not to give (changed at any time). */
  readonly withhold: Set<Answer>;
  /** The CONNACK return code to answer with. */
  connackCode: number;
  /** true: a FIN (or DISCONNECT) from the client is not answered, the connection stays half open. */
  holdOpen: boolean;
  /** Connections accepted so far; `closed` counts those that ended. */
  readonly connections: number;
  readonly closed: number;
  /** Sends packets on the latest connection, in one write. */
  send(...packets: Packet[]): void;
  /** Resets the latest connection. */
  drop(): void;
  /** Closes the latest connection with a FIN after what was sent. */
  end(): void;
  /** Bytes the latest connection could not hand to the kernel yet (the client is not reading). */
  backlog(): number;
  /** Received packets of one kind. */
  of<C extends Packet['cmd']>(cmd: C): Extract<Packet, { cmd: C }>[];
  close(): Promise<void>;
}

export async function startRawBroker(): Promise<RawBroker> {
  const received: Packet[] = [];
  const withhold = new Set<Answer>();
  const sockets: net.Socket[] = [];
  let closedCount = 0;
  const broker: RawBroker = {
    port: 0,
    received,
    withhold,
    connackCode: 0,
    holdOpen: false,
    get connections() {
      return sockets.length;
    },
    get closed() {
      return closedCount;
    },
    send: (...packets) => void sockets.at(-1)?.write(Buffer.concat(packets.map((p) => generate(p)))),
    drop: () => void sockets.at(-1)?.resetAndDestroy(),
    end: () => void sockets.at(-1)?.end(),
    backlog: () => sockets.at(-1)?.writableLength ?? 0,
    of: <C extends Packet['cmd']>(cmd: C) => received.filter((p): p is Extract<Packet, { cmd: C }> => p.cmd === cmd),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const answer = (socket: net.Socket, kind: Answer, packet: Packet) => {
    if (!withhold.has(kind) && !socket.destroyed) socket.write(generate(packet));
  };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('close', () => closedCount++);
    const p = parser();
    p.on('error', () => socket.destroy());
    p.on('packet', (packet: Packet) => {
      received.push(packet);
      const id = packet.messageId!;
      switch (packet.cmd) {
        case 'connect':
          return answer(socket, 'connack', { cmd: 'connack', returnCode: broker.connackCode, sessionPresent: false });
        case 'publish':
          if (packet.qos === 1) answer(socket, 'puback', { cmd: 'puback', messageId: id });
          if (packet.qos === 2) answer(socket, 'pubrec', { cmd: 'pubrec', messageId: id });
          return;
        case 'pubrel':
          return answer(socket, 'pubcomp', { cmd: 'pubcomp', messageId: id });
        case 'subscribe':
          return answer(socket, 'suback', { cmd: 'suback', messageId: id, granted: packet.subscriptions.map((s) => s.qos) });
        case 'unsubscribe':
          return answer(socket, 'unsuback', { cmd: 'unsuback', messageId: id, granted: [] });
        case 'pingreq':
          return answer(socket, 'pingresp', { cmd: 'pingresp' });
        case 'disconnect':
          if (!broker.holdOpen) socket.end();
          return;
        default:
          return;
      }
    });
    socket.on('data', (chunk: Buffer) => p.parse(chunk));
    socket.on('end', () => {
      if (!broker.holdOpen) socket.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  Object.assign(broker, { port: (server.address() as net.AddressInfo).port });
  return broker;
}
