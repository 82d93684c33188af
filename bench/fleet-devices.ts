/**
 * The fleet bench's two kinds of device, behind one shape: an emulated FC41D driven over the
 * in-process transport with AT commands (join its AP, AT+QMTOPEN, AT+QMTCONN, AT+QMTPUB QoS 1),
 * and a bare MQTT.js client doing the same on the wire (the ceiling). `publish` resolves when
 * the broker's PUBACK is known to the device's host: `+QMTPUB: 0,<msgid>,0` for the module, the
 * publish callback for MQTT.js.
 */
import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { moduleMac } from '../src/device/mac.ts';
import { Fc41dModule } from '../src/device/module.ts';
import { openDuplex } from '../src/transport/in-process.ts';
import { parseWorld } from '../src/world/schema.ts';
import { World } from '../src/world/world.ts';
import { connectClient } from '../src/client/index.ts';
import { AtDriver } from './fleet-driver.ts';

export interface BenchDevice {
  publish(topic: string, payload: string, msgId: number): Promise<void>;
  /** Times the session was reported closed. */
  drops(): number;
}

/** Addresses per access point: the pool is a /24's .2–.251 (world schema: last octet 1–254). */
export const PER_AP = 250;
/** The module's keep-alive default (AT+QMTCFG "keepalive", docs/mqtt.md); the bare clients get the same. */
const KEEPALIVE_S = 120;

/** A world with enough DHCP addresses for `devices` stations: one open AP per 250, instant radio. */
export function fleetWorld(devices: number): World {
  const accessPoints = Array.from({ length: Math.ceil(devices / PER_AP) }, (_, k) => ({
    ssid: `Fleet-${k}`,
    security: 'OPEN' as const,
    dhcp: { gateway: `10.${(k >> 8) & 255}.${k & 255}.1`, first: 2, last: 1 + PER_AP, delayMs: 0 },
  }));
  return new World(parseWorld({ timeScale: 0, accessPoints }, 'fleet bench world'));
}

/** Module `index` of the bench: fast boot, echo off (what both of its drivers expect). */
function benchModule(world: World, index: number): Fc41dModule {
  return new Fc41dModule({ world, mac: moduleMac(index), label: `fleet ${index}`, bootMs: 1, echo: false });
}

/** Module `index`: booted, joined, with an MQTT session on client 0 to 127.0.0.1:`port`. */
export async function connectModule(world: World, index: number, port: number): Promise<BenchDevice> {
  const at = new AtDriver(openDuplex(benchModule(world, index)));
  await at.expect('ready');
  await at.command(`AT+QSTAAPINFO=Fleet-${Math.floor(index / PER_AP)}`, '+QSTASTAT:GOT_IP');
  const open = await at.command(`AT+QMTOPEN=0,"127.0.0.1",${port}`, '+QMTOPEN:');
  if (open !== '+QMTOPEN: 0,0') throw new Error(`module ${index}: ${open}`);
  const conn = await at.command(`AT+QMTCONN=0,"fleet-${index}"`, '+QMTCONN:');
  if (conn !== '+QMTCONN: 0,0,0') throw new Error(`module ${index}: ${conn}`);
  return {
    async publish(topic, payload, msgId) {
      const result = await at.command(`AT+QMTPUB=0,${msgId},1,0,"${topic}",${payload.length},"${payload}"`, `+QMTPUB: 0,${msgId},`);
      if (result !== `+QMTPUB: 0,${msgId},0`) throw new Error(`module ${index}: ${result}`);
    },
    drops: () => at.dropped,
  };
}

/** MQTT.js leaves Nagle on; the module's sockets (src/net/) turn it off, so the ceiling does too. */
export function noDelay(client: MqttClient): void {
  (client.stream as Partial<Socket>).setNoDelay?.(true);
}

/**
 * The same module driven by the typed host library (src/client/, what `fc41d fleet`'s device
 * programs get) instead of the minimal driver: the library's cost per device on top.
 */
export async function connectModuleWithClient(world: World, index: number, port: number): Promise<BenchDevice> {
  const client = await connectClient({ module: benchModule(world, index) }, { waitReady: true, timeoutMs: 30_000 });
  let dropped = 0;
  client.on('urc', (u) => u.name === '+QMTSTAT' && dropped++);
  await client.expectOk(`AT+QSTAAPINFO=Fleet-${Math.floor(index / PER_AP)}`);
  await client.waitUrc('+QSTASTAT', { timeoutMs: 30_000, match: (u) => u.params[0] === 'GOT_IP' });
  await client.expectOk(`AT+QMTOPEN=0,"127.0.0.1",${port}`);
  const open = await client.waitUrc('+QMTOPEN', { timeoutMs: 30_000 });
  if (open.line !== '+QMTOPEN: 0,0') throw new Error(`module ${index}: ${open.line}`);
  await client.expectOk(`AT+QMTCONN=0,"fleet-${index}"`);
  const conn = await client.waitUrc('+QMTCONN', { timeoutMs: 30_000 });
  if (conn.line !== '+QMTCONN: 0,0,0') throw new Error(`module ${index}: ${conn.line}`);
  return {
    async publish(topic, payload, msgId) {
      await client.expectOk(`AT+QMTPUB=0,${msgId},1,0,"${topic}",${payload.length},"${payload}"`);
      const result = await client.waitUrc('+QMTPUB', { timeoutMs: 30_000, match: (u) => u.params[1] === String(msgId) });
      if (result.line !== `+QMTPUB: 0,${msgId},0`) throw new Error(`module ${index}: ${result.line}`);
    },
    drops: () => dropped,
  };
}

/** A bare MQTT.js client with the module's session settings (clean session, keep-alive 120 s). */
export async function connectBare(index: number, port: number): Promise<BenchDevice> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: `bare-${index}`,
    keepalive: KEEPALIVE_S,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  noDelay(client);
  let dropped = 0;
  client.on('close', () => dropped++);
  client.on('error', () => {});
  return {
    async publish(topic, payload) {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    drops: () => dropped,
  };
}
