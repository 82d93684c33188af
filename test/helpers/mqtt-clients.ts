/**
 * MQTT.js (mqtt@5) clients for tests that check a broker from outside (mosquitto.ts, the
 * default world's broker): one connection, no reconnects, closed by `cleanUp`.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

const clients: MqttClient[] = [];

/** Connects (no retries); rejects with MQTT.js's error (`code`: the CONNACK return code). */
export async function mqttClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error(`${url}: closed before CONNACK`)));
  });
  client.on('error', () => {}); // later errors show up as the test's own failures
  return client;
}

/** Subscribes to `topic`, publishes `payload` to it and resolves with what comes back. */
export async function echoThrough(client: MqttClient, topic: string, payload: Buffer | string, qos: 0 | 1 | 2 = 1): Promise<Buffer> {
  await client.subscribeAsync(topic, { qos });
  const back = new Promise<Buffer>((resolve) => client.once('message', (_t, message) => resolve(message)));
  await client.publishAsync(topic, payload, { qos });
  return back;
}

/** Closes every client made since the last call. */
export async function closeMqttClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => {})));
}
