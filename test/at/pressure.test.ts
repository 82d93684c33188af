// Nothing the host sends and no URC is dropped: held input above a high-water mark holds the
// host (RTS) until it drains, and a high URC backlog tells URC producers to stop reading.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { INPUT_HIGH_WATER } from '../../src/at/engine.ts';
import { createModule } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { tcpEcho, connectedModule } from '../tcpip/helpers.ts';
import { engineRig, OK, T, tcpModule } from './rig.ts';

const LINE_BYTES = 4000;
const pad = (line: string) => line + ' '.repeat(LINE_BYTES - line.length - 1) + '\r';

test('engine: 8 MiB written while a command runs is read in full and in order; the host is held meanwhile', async () => {
  const pressure: boolean[] = [];
  const { host, release } = await engineRig({ onInputPressure: (high) => pressure.push(high) });
  host.write('AT+SLOW\r');
  await sleep(5);
  const count = Math.ceil((8 << 20) / LINE_BYTES);
  const all = Buffer.from(Array.from({ length: count }, (_, i) => pad(`AT+N=${i}`)).join(''), 'latin1');
  for (let i = 0; i < all.length; i += 65536) host.write(all.subarray(i, i + 65536));
  await sleep(5);
  assert.deepEqual(pressure, [true], 'held input above the mark holds the host');
  release();
  const text = await host.expect(`\r\n+N: ${count - 1}\r\n${OK}`, 20_000);
  const numbers = [...text.matchAll(/\+N: (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(numbers.length, count);
  assert.ok(numbers.every((n, i) => n === i), 'in order');
  assert.equal(text.split(OK).length - 1, count + 1, 'one OK per line (and the slow command)');
  assert.doesNotMatch(text, /ERROR/);
  assert.deepEqual(pressure, [true, false], 'released once drained');
});

test('engine: every URC held during a command goes out, in order; pressure is reported and released', async () => {
  const pressure: boolean[] = [];
  const { engine, host, release } = await engineRig({ onUrcPressure: (high) => pressure.push(high) });
  host.write('AT+SLOW\r');
  await sleep(5);
  const count = 5000;
  for (let i = 0; i < count; i++) engine.urc(`+URC: ${i} ${'x'.repeat(40)}`);
  assert.deepEqual(pressure, [true]);
  release();
  const text = await host.expect(`+URC: ${count - 1} `, T);
  const numbers = [...text.matchAll(/\+URC: (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(numbers.length, count);
  assert.ok(numbers.every((n, i) => n === i));
  assert.deepEqual(pressure, [true, false]);
});

/** A TCP server that never closes its side, so AT+QICLOSE=<id>,<s> stays busy for its timeout. */
async function halfOpenPeer() {
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

test('TCP transport: 8 MiB of commands written during a busy AT+QICLOSE are all answered, in order', async () => {
  const peer = await halfOpenPeer();
  const m = await tcpModule();
  try {
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    let held = false;
    const watch = setInterval(() => (held ||= m.module.inputHeld), 2);
    m.host.write('AT+QICLOSE=0,1\r');
    const pairs = Math.ceil((8 << 20) / LINE_BYTES / 2);
    const lines: string[] = [];
    for (let i = 0; i < pairs; i++) lines.push(pad(`AT+QICFG="transwaittm",${i % 21}`), pad('AT+QICFG="transwaittm"'));
    lines.push('AT+QICFG="transpktsize",777\rAT+QICFG="transpktsize"\r'); // the end marker
    m.host.write(Buffer.from(lines.join(''), 'latin1'));
    const text = await m.host.expect(`"transpktsize",777\r\n${OK}`, 30_000);
    clearInterval(watch);
    const values = [...text.matchAll(/\+QICFG: "transwaittm",(\d+)/g)].map((x) => Number(x[1]));
    assert.equal(values.length, pairs);
    assert.ok(values.every((v, i) => v === i % 21), 'each read sees the write just before it');
    assert.equal(text.split(OK).length - 1, 2 * pairs + 3);
    assert.doesNotMatch(text, /ERROR/);
    assert.ok(held, 'the host was held (RTS) while the input waited');
    assert.equal(m.module.inputHeld, false);
    assert.ok(INPUT_HIGH_WATER < 8 << 20);
  } finally {
    await m.close();
    await peer.close();
  }
});

test('module: a high URC backlog (transparent mode) blocks output producers; every URC goes out; writable follows', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule({}, { guardMs: 100 });
  try {
    m.host.send(`AT+QIOPEN=0,"TCP","127.0.0.1",${echo.port},0,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    const count = 3000;
    for (let i = 0; i < count; i++) m.module.urc(`+QIURC: "test",${i},${'y'.repeat(40)}`);
    assert.equal(m.module.outputBlocked, true, 'URC producers must stop reading their sockets');
    let writable = false;
    m.module.once('writable', () => (writable = true));
    await sleep(150);
    m.host.write('+++');
    const text = await m.host.expect(`"test",${count - 1},`, T);
    assert.equal([...text.matchAll(/"test",(\d+)/g)].length, count);
    assert.equal(m.module.outputBlocked, false);
    assert.equal(writable, true);
  } finally {
    m.close();
    await echo.close();
  }
});

test('in-process: a host that writes 2 MiB while a command runs has its writes held, none lost', async () => {
  const peer = await halfOpenPeer();
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QECHO=0')).final, 'OK');
    await m.host.collect(20);
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    m.host.send('AT+QICLOSE=0,1');
    const count = Math.ceil((2 << 20) / LINE_BYTES);
    let acked = 0;
    for (let i = 0; i < count; i++) m.stream.write(Buffer.from(pad('AT'), 'latin1'), () => acked++);
    await sleep(50);
    assert.ok(acked < count, 'writes are not acknowledged while the module holds the host');
    const deadline = Date.now() + 20_000;
    while (m.host.unread.split(OK).length - 1 < count + 1 && Date.now() < deadline) await sleep(10);
    const text = await m.host.collect(20);
    assert.equal(text.split(OK).length - 1, count + 1);
    assert.doesNotMatch(text, /ERROR/);
    await sleep(20);
    assert.equal(acked, count);
  } finally {
    m.close();
    await peer.close();
  }
});

void AtHost;
void createModule;

/** The data of direct-push URCs (`+QIURC: "recv",<id>,<len>` CRLF data CRLF) in `text`, joined. */
function pushedData(text: string): string {
  let out = '';
  const head = /\r\n\+QIURC: "recv",\d+,(\d+)\r\n/g;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const start = m.index + m[0].length;
    out += text.slice(start, start + Number(m[1]));
    head.lastIndex = start + Number(m[1]);
  }
  return out;
}

test('direct push stops while the host does not read, and goes on when it reads again', async () => {
  const peer = await tcpEcho();
  const m = await connectedModule();
  try {
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,1`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    await m.host.collect(20);
    let pushed = 0;
    m.module.on('output', (bytes, info) => info.kind === 'urc' && (pushed += bytes.length));
    m.stream.pause(); // the host stops reading
    const data = Buffer.alloc(2 << 20);
    for (let i = 0; i < data.length; i++) data[i] = 0x41 + ((i * 7) % 26);
    peer.sockets[0].write(data);
    await sleep(300);
    assert.ok(pushed < 256 * 1024, `pushes stop while the host is backed up (${pushed} bytes pushed)`);
    m.stream.resume();
    const deadline = Date.now() + T;
    while (pushedData(m.host.unread).length < data.length && Date.now() < deadline) await sleep(20);
    assert.equal(pushedData(m.host.unread), data.toString('latin1'), 'every byte, in order');
  } finally {
    m.close();
    await peer.close();
  }
});
