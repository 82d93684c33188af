/**
 * src/world/broker.ts in-process: the hosts-map entry it adds (and when it adds none), and a
 * clean close that ends its clients' connections and frees its ports.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { afterEach, test } from 'node:test';
import { BROKER_HOST, describeBroker, startWorldBroker, type WorldBroker } from '../../src/world/broker.ts';
import { defaultWorld } from '../../src/world/default-world.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { testCaCertificate } from '../../src/world/test-ca.ts';
import { World } from '../../src/world/world.ts';
import { closeMqttClients, echoThrough, mqttClient } from '../helpers/mqtt-clients.ts';

const TEST = { timeout: 20_000 };
const started: WorldBroker[] = [];
afterEach(async () => {
  await closeMqttClients();
  await Promise.all(started.splice(0).map((b) => b.close()));
});

async function start(world: World): Promise<WorldBroker | null> {
  const broker = await startWorldBroker(world);
  if (broker) started.push(broker);
  return broker;
}

test('the default world maps broker.fc41d.local:1883 and :8883 to the broker; other ports and names as before', TEST, async () => {
  const world = defaultWorld();
  assert.equal(world.resolveHost(BROKER_HOST, 1883), undefined, 'nothing before it starts');
  const broker = (await start(world))!;
  assert.deepEqual(world.resolveHost('broker.fc41d.local', 1883), { address: '127.0.0.1', port: broker.mqttPort });
  assert.deepEqual(world.resolveHost('BROKER.fc41d.LOCAL', 8883), { address: '127.0.0.1', port: broker.mqttsPort });
  assert.deepEqual(world.resolveHost(BROKER_HOST, 80), { address: '127.0.0.1', port: 80 });
  assert.equal(world.resolveHost('example.com', 1883), undefined);
  assert.equal(defaultWorld().resolveHost(BROKER_HOST, 1883), undefined, 'each world its own map');

  const plain = await mqttClient(`mqtt://127.0.0.1:${broker.mqttPort}`);
  assert.equal((await echoThrough(plain, 't', 'x', 2)).toString(), 'x');
  const secure = await mqttClient(`mqtts://127.0.0.1:${broker.mqttsPort}`, { ca: testCaCertificate(), servername: BROKER_HOST });
  assert.equal((await echoThrough(secure, 't2', 'y')).toString(), 'y');
  assert.deepEqual(describeBroker(broker, false), [
    `broker broker.fc41d.local:1883 mqtt on 127.0.0.1:${broker.mqttPort}`,
    `broker broker.fc41d.local:8883 mqtts on 127.0.0.1:${broker.mqttsPort} (test CA: fc41d ca)`,
  ]);
});

test("a world that names broker.fc41d.local keeps its entry and gets no broker", TEST, async () => {
  const world = new World(parseWorld({ hosts: { 'broker.FC41D.local': { address: '10.1.2.3', ports: { '1883': 11883 } } } }));
  assert.equal(await start(world), null);
  assert.deepEqual(world.resolveHost(BROKER_HOST, 1883), { address: '10.1.2.3', port: 11883 });
  assert.deepEqual(world.resolveHost(BROKER_HOST, 8883), { address: '10.1.2.3', port: 8883 });
});

test('close(): clients are disconnected, the ports refuse connections, a second close is harmless', TEST, async () => {
  const broker = (await start(defaultWorld()))!;
  const plain = await mqttClient(`mqtt://127.0.0.1:${broker.mqttPort}`);
  const secure = await mqttClient(`mqtts://127.0.0.1:${broker.mqttsPort}`, { ca: testCaCertificate(), servername: BROKER_HOST });
  const closed = [plain, secure].map((c) => new Promise<void>((resolve) => c.once('close', () => resolve())));
  await broker.close();
  await Promise.all(closed);
  for (const port of [broker.mqttPort, broker.mqttsPort]) {
    await assert.rejects(
      new Promise((resolve, reject) => connect(port, '127.0.0.1').once('connect', resolve).once('error', reject)),
      { code: 'ECONNREFUSED' },
    );
  }
  await broker.close();
});
