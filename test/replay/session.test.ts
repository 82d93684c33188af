/**
 * Record → replay with a real module: it joins Office, speaks MQTT to the default world's broker
 * (open, connect, subscribe, publish, its own message back), GETs from httpbin, echoes over a TCP
 * socket and meets a refused port. The replay runs the same host script with the broker and
 * httpbin gone and every hosts-map target closed: the module's output must be byte-identical.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createModule } from '../../src/index.ts';
import { Cassette } from '../../src/replay/index.ts';
import type { NetMode } from '../../src/replay/index.ts';
import { startWorldBroker } from '../../src/world/broker.ts';
import { DEFAULT_WORLD } from '../../src/world/default-world.ts';
import { startWorldHttpbin } from '../../src/world/httpbin.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { realClock } from '../../src/clock.ts';
import { AtHost } from '../helpers/at-host.ts';
import { closedPort } from '../helpers/http-servers.ts';

const T = 10_000;
const SEED = 1234;
const dir = mkdtempSync(join(tmpdir(), 'fc41d-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A TCP echo server on 127.0.0.1. */
async function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function seededWorld(): World {
  return new World(parseWorld({ ...DEFAULT_WORLD, timeScale: 0.01 }), realClock, { seed: SEED });
}

/** The host script: the same commands, each waiting for what it waits for, in both runs. */
async function hostScript(host: AtHost): Promise<void> {
  const step = async (line: string, until: string | RegExp) => {
    host.send(line);
    await host.expect(until, T);
  };
  await host.expect('\r\nready\r\n', T);
  await step('AT+QSTAAPINFO=Office,correct-horse', '+QSTASTAT:GOT_IP\r\n');
  await step('AT+QMTOPEN=0,"broker.fc41d.local",1883', '+QMTOPEN: 0,0\r\n');
  await step('AT+QMTCONN=0,"replay-client"', '+QMTCONN: 0,0,0\r\n');
  await step('AT+QMTSUB=0,1,"replay/t",1', '+QMTSUB: 0,1,0,1\r\n');
  host.send('AT+QMTPUB=0,2,1,0,"replay/t",5,"hello"');
  await host.expect('+QMTPUB: 0,2,0\r\n', T);
  await host.expect(/\+QMTRECV: 0,\d+,"replay\/t",5,"hello"\r\n/, T);
  await step('AT+QMTDISC=0', '+QMTDISC: 0,0\r\n');
  await step('AT+QHTTPCFG="url","http://httpbin.fc41d.local/get?x=1"', 'OK\r\n');
  await step('AT+QHTTPGET=60', /\+QHTTPGET: 0,200,\d+\r\n/);
  await step('AT+QHTTPREAD=60', '+QHTTPREAD: 0\r\n');
  await step('AT+QIOPEN=0,"TCP","echo.test",7,0,0', '+QIOPEN: 0,0\r\n');
  await step('AT+QISEND=0,5,"hello"', 'OK\r\n');
  await host.expect('+QIURC: "recv",0\r\n', T);
  await step('AT+QIRD=0,1500', 'OK\r\n');
  await step('AT+QISTATE=0', 'OK\r\n');
  await step('AT+QICLOSE=0', 'OK\r\n');
  await step('AT+QIOPEN=1,"TCP","closed.test",7,0,0', /\+QIOPEN: 1,\d+\r\n/);
  await step('AT+QIGETERROR', 'OK\r\n');
}

/** One run in `mode`; the module's whole output, and the misses the world reported. */
async function run(mode: NetMode, cassette: Cassette): Promise<{ output: Buffer; misses: string[] }> {
  const world = seededWorld();
  const misses: string[] = [];
  world.on('replay-miss', (d) => misses.push(d));
  const closers: (() => Promise<void>)[] = [];
  try {
    if (mode === 'record') {
      const broker = await startWorldBroker(world);
      const httpbin = await startWorldHttpbin(world);
      const echo = await echoServer();
      closers.push(() => broker!.close(), () => httpbin!.close(), () => echo.close());
      world.setHost('echo.test', { address: '127.0.0.1', ports: { '7': echo.port } });
      world.setHost('closed.test', { address: '127.0.0.1', ports: { '7': await closedPort() } });
    } else {
      // Nothing to reach: the broker and httpbin names are not mapped (DNS knows neither), and
      // the test hosts point at closed ports.
      world.setHost('echo.test', { address: '127.0.0.1', ports: { '7': await closedPort() } });
      world.setHost('closed.test', { address: '127.0.0.1', ports: { '7': await closedPort() } });
    }
    world.setNet(mode, cassette);
    const m = createModule({ bootMs: 5, echo: false, world, label: 'module 0', mac: '02:00:00:00:00:01' });
    closers.unshift(async () => m.close());
    const host = new AtHost(m.stream);
    await hostScript(host);
    return { output: Buffer.from(host.received, 'latin1'), misses };
  } finally {
    for (const close of closers) await close();
    world.dispose();
  }
}

test('a replay with no network gives the module output of the record run, byte for byte', { timeout: 30_000 }, async () => {
  const recording = Cassette.empty();
  const recorded = await run('record', recording);
  const path = join(dir, 'session.cassette.json');
  recording.save(path);

  const text = recorded.output.toString('latin1');
  assert.match(text, /\+QMTRECV: 0,\d+,"replay\/t",5,"hello"/);
  assert.match(text, /"url": "http:\/\/httpbin\.fc41d\.local\/get\?x=1"/, 'httpbin echoed the request');
  assert.match(text, /\+QIRD:5\r\n\r\nhello/);
  const state = /\+QISTATE: 0,"TCP","127\.0\.0\.1",7,(\d+),2/.exec(text);
  assert.ok(state, text);
  assert.ok(Number(state[1]) >= 0xc000, 'a seeded local port in lwIP\'s range');
  const refused = /\+QIOPEN: 1,(\d+)\r\n/.exec(text);
  assert.equal(refused?.[1], '551', 'the refused port fails the open');

  const loaded = Cassette.load(path);
  const keys = loaded.connections.map((c) => `${c.key.host}:${c.key.port}:${c.key.tls}#${c.key.ordinal}:${c.connect.ok}`);
  assert.deepEqual(keys, ['broker.fc41d.local:1883:false#1:true', 'httpbin.fc41d.local:80:false#1:true', 'echo.test:7:false#1:true', 'closed.test:7:false#1:false']);
  const refusedEntry = loaded.connections[3].connect;
  assert.ok(!refusedEntry.ok);
  assert.equal(refusedEntry.result, 551);
  assert.equal(refusedEntry.cause, 'ECONNREFUSED');
  const mqtt = loaded.connections[0];
  const out = Buffer.concat(mqtt.events.filter((e) => e.dir === 'out').map((e) => Buffer.from(e.data, 'base64')));
  assert.ok(out.includes('replay-client'), 'the CONNECT packet is recorded in plaintext');
  assert.equal(out[0] >> 4, 1, 'the first packet out is CONNECT');
  assert.ok(mqtt.close, 'the close is recorded');
  assert.deepEqual(loaded.misses, []);

  const replayed = await run('replay', loaded);
  assert.deepEqual(replayed.misses, []);
  assert.deepEqual(loaded.misses, []);
  assert.equal(replayed.output.toString('latin1'), text, 'the same transcript');
  assert.ok(replayed.output.equals(recorded.output), 'byte-identical');
});
