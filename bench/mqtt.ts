/**
 * AT+QMTPUB (§2.5.8) messages per second through a module against MQTT.js publishing the same
 * messages straight to the same broker in the same run (issue 10 item 8): an
 * in-process aedes broker (src/world/broker.ts), a module with an address driven over the TCP
 * transport by a host that sends `AT+QMTPUB=0,<msgid>,<qos>,0,"bench/m",<len>,"<payload>"` and
 * waits for its `+QMTPUB` result before the next, as a driver does; the baseline awaits each
 * MQTT.js publish the same way (QoS 0: written; QoS 1: PUBACK). A subscriber counts arrivals: a
 * run ends when it has every message. QoS 0 is also measured pipelined: the host writes every
 * AT+QMTPUB line at once and counts the results (TCP pushes back; no command is lost). The
 * module runs in its own `fc41d serve` process (BENCH_MQTT_INPROC=1: in this one), so the bench
 * process's host, broker and subscriber work is not charged to it. Alternating rounds, medians;
 * target: QoS 0 pipelined >= 0.5 of direct.
 * The payload is 64 bytes of JSON, quotes included (FIDELITY.md: inline payloads counted by <len>).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker, type WorldBroker } from '../src/world/broker.ts';
import { type BenchModule, median, moduleWithAddress, report, spawnedModuleWithAddress, until } from './setup.ts';

const MESSAGES = Number(process.env.BENCH_MQTT_MESSAGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOPIC = 'bench/m';
const TARGET_QOS0 = 0.5;

type Host = Pick<BenchModule, 'host' | 'close'>;

/** 64 bytes of JSON with the sequence number in it. */
function payload(seq: number): string {
  const head = `{"seq":${seq},"temp":21.5,"pad":"`;
  return `${head}${'x'.repeat(64 - head.length - 2)}"}`;
}

/** Resolves when the subscriber has seen `n` more messages. */
function arrivals(subscriber: MqttClient, n: number): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    const onMessage = () => {
      if (++got < n) return;
      subscriber.off('message', onMessage);
      resolve();
    };
    subscriber.on('message', onMessage);
  });
}

/** Messages per second: `publish(i)` for each, one after the other, until the subscriber has them all. */
async function rate(subscriber: MqttClient, publish: (i: number) => Promise<void>): Promise<number> {
  const all = arrivals(subscriber, MESSAGES);
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) await publish(i);
  await all;
  return MESSAGES / ((performance.now() - t0) / 1000);
}

/** The host's side: one AT+QMTPUB and its +QMTPUB result. */
function modulePublisher(bench: Host, qos: 0 | 1): (i: number) => Promise<void> {
  return async (i) => {
    const msgId = qos === 0 ? 0 : (i % 65535) + 1;
    const body = payload(i);
    const result = until(bench.host, new RegExp(`\\+QMTPUB: 0,${msgId},\\d+(,\\d+)?\\r\\n`));
    bench.host.write(`AT+QMTPUB=0,${msgId},${qos},0,"${TOPIC}",${body.length},"${body}"\r`);
    const text = await result;
    if (!text.includes(`+QMTPUB: 0,${msgId},0\r\n`)) throw new Error(`AT+QMTPUB failed: ${JSON.stringify(text)}`);
  };
}

/** Resolves once `n` lines `line` have come from the module (counted across chunk boundaries). */
function countLines(host: Host['host'], line: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let tail = '';
    const onData = (b: Buffer) => {
      const text = tail + b.toString('latin1');
      for (let at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + line.length)) seen++;
      if (/\r\nERROR\r\n|\+QMTPUB: 0,0,2/.test(text)) reject(new Error(`a pipelined AT+QMTPUB failed: ${JSON.stringify(text)}`));
      tail = text.slice(-(line.length - 1));
      if (seen < n) return;
      host.off('data', onData);
      resolve();
    };
    host.on('data', onData);
  });
}

/** QoS 0 with the host not waiting: every AT+QMTPUB line written at once (flow control paces them). */
async function pipelinedRate(bench: Host, subscriber: MqttClient): Promise<number> {
  const all = arrivals(subscriber, MESSAGES);
  const answered = countLines(bench.host, '+QMTPUB: 0,0,0\r\n', MESSAGES);
  const lines = Array.from({ length: MESSAGES }, (_, i) => {
    const body = payload(i);
    return `AT+QMTPUB=0,0,0,0,"${TOPIC}",${body.length},"${body}"\r`;
  });
  const t0 = performance.now();
  bench.host.write(lines.join(''));
  await Promise.all([all, answered]);
  return MESSAGES / ((performance.now() - t0) / 1000);
}

async function connectModule(bench: Host, broker: WorldBroker): Promise<boolean> {
  const opened = until(bench.host, /\+QMTOPEN: 0,-?\d+\r\n|\r\nERROR\r\n/);
  bench.host.write(`AT+QMTOPEN=0,"127.0.0.1",${broker.mqttPort}\r`);
  const open = await opened;
  if (!open.includes('+QMTOPEN: 0,0')) {
    console.log(`mqtt: skipped, AT+QMTOPEN answered ${JSON.stringify(open.trim())} (are the MQTT commands built?)`);
    return false;
  }
  const connected = until(bench.host, /\+QMTCONN: 0,\d+(,\d+)?\r\n|\r\nERROR\r\n/);
  bench.host.write('AT+QMTCONN=0,"bench-module"\r');
  const conn = await connected;
  if (!conn.includes('+QMTCONN: 0,0,0')) throw new Error(`AT+QMTCONN: ${JSON.stringify(conn)}`);
  return true;
}

export async function benchMqtt(): Promise<void> {
  const broker = await startBroker();
  const bench: Host = process.env.BENCH_MQTT_INPROC ? await moduleWithAddress() : await spawnedModuleWithAddress();
  const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, { clientId: 'bench-sub', reconnectPeriod: 0 });
  const direct = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, { clientId: 'bench-direct', reconnectPeriod: 0 });
  try {
    if (!(await connectModule(bench, broker))) return;
    await subscriber.subscribeAsync(TOPIC, { qos: 1 });
    const figures = { module0: [] as number[], direct0: [] as number[], module1: [] as number[], direct1: [] as number[], pipelined0: [] as number[] };
    const directPublisher = (qos: 0 | 1) => async (i: number) => void (await direct.publishAsync(TOPIC, payload(i), { qos }));
    // A warm-up of each, then rounds alternating module and direct.
    await rate(subscriber, modulePublisher(bench, 0));
    await rate(subscriber, directPublisher(0));
    for (let round = 0; round < ROUNDS; round++) {
      figures.module0.push(await rate(subscriber, modulePublisher(bench, 0)));
      figures.direct0.push(await rate(subscriber, directPublisher(0)));
      figures.module1.push(await rate(subscriber, modulePublisher(bench, 1)));
      figures.direct1.push(await rate(subscriber, directPublisher(1)));
      figures.pipelined0.push(await pipelinedRate(bench, subscriber));
    }
    const note = `medians of ${ROUNDS} rounds of ${MESSAGES} 64-byte messages`;
    // One at a time pays an AT round trip (host → module → host) per message, which the direct
    // QoS 0 publish, done when written, never waits for: no target for it.
    report(`AT+QMTPUB QoS 0, one at a time (${note})`, median(figures.module0), median(figures.direct0), 'msg/s', {
      base: 'MQTT.js direct',
    });
    report(`AT+QMTPUB QoS 0, pipelined (${note})`, median(figures.pipelined0), median(figures.direct0), 'msg/s', {
      target: TARGET_QOS0,
      base: 'MQTT.js direct',
    });
    report(`AT+QMTPUB QoS 1, each waiting for its PUBACK (${note})`, median(figures.module1), median(figures.direct1), 'msg/s', {
      base: 'MQTT.js direct',
    });
  } finally {
    await Promise.all([subscriber.endAsync(true), direct.endAsync(true)]);
    await bench.close();
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMqtt();
