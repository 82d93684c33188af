/** MQTT AT tests' scaffolding: a joined module whose hosts map names a broker on a real port. */
import { startAedes, type TestAedes } from '../helpers/aedes.ts';
import { connectedModule } from '../tcpip/helpers.ts';

export const T = 10_000;

/** An aedes broker on 127.0.0.1 (test/helpers/aedes.ts). */
export const startBroker = startAedes;
export type Broker = TestAedes;

/** A module joined to an AP, with `broker.test` naming a broker (port 1883 → its real port). */
export async function mqttModule(broker: { port: number }, opts: { join?: boolean } = {}) {
  return connectedModule({ 'broker.test': { address: '127.0.0.1', ports: { '1883': broker.port } } }, opts);
}

export type MqttModule = Awaited<ReturnType<typeof mqttModule>>;

/** Opens and connects client `id` as `clientId` (and a user and password when given). */
export async function openAndConnect(m: MqttModule, id: number, clientId: string, login = ''): Promise<void> {
  m.host.send(`AT+QMTOPEN=${id},"broker.test",1883`);
  await m.host.expect(`\r\nOK\r\n\r\n+QMTOPEN: ${id},0\r\n`, T);
  m.host.send(`AT+QMTCONN=${id},"${clientId}"${login}`);
  await m.host.expect(`\r\nOK\r\n\r\n+QMTCONN: ${id},0,0\r\n`, T);
}
