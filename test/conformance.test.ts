/**
 * Replays every test/transcripts/*.at file against a fresh in-process module, after `ready`;
 * a transcript with a `# world: <file>` line gets a module in that world (the default world
 * otherwise), one with `# echo: off` a module whose saved echo is off (factory echo on otherwise). A world file's `"$ECHO_PORT"` placeholders start a TCP and a UDP echo server on
 * 127.0.0.1, both on that port, for the replay. The format is described in
 * test/helpers/transcript.ts and docs/transcripts.md.
 */
import assert from 'node:assert/strict';
import { exampleHttpServer } from './http/example-server.ts';
import { startBroker } from './mqtt/at-rig.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createModule, Fc41dModule, parseWorld, World } from '../src/index.ts';
import { startTcpTransport } from '../src/transport/tcp.ts';
import {
  echoOf,
  fillPlaceholders,
  loadTranscript,
  parseTranscript,
  runTranscript,
  worldFileOf,
  worldPlaceholders,
} from './helpers/transcript.ts';

const dir = fileURLToPath(new URL('./transcripts/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.at')).sort();
const boot = parseTranscript('wait-for ready', 'boot');

interface Echo {
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP echo server and a UDP echo server on 127.0.0.1, on the same port number, so one
 * hosts-map entry (one port remapping) serves both protocols, as example 4.3.2 needs.
 */
async function echoServers(): Promise<Echo> {
  for (let attempt = 1; ; attempt++) {
    const sockets = new Set<Socket>();
    const tcp = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      s.setNoDelay(true);
      s.pipe(s);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    udp.on('message', (msg, from) => udp.send(msg, from.port, from.address));
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) {
      // The UDP port is taken: try another pair.
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (attempt >= 20) throw new Error('no port free for both a TCP and a UDP echo server');
      continue;
    }
    udp.on('error', () => {});
    return {
      port,
      close: async () => {
        for (const s of sockets) s.destroy();
        await Promise.all([
          new Promise<void>((resolve) => tcp.close(() => resolve())),
          new Promise<void>((resolve) => udp.close(() => resolve())),
        ]);
      },
    };
  }
}

/**
 * The world a transcript asks for (`# world: <file>`), built fresh for each replay, with the
 * servers its placeholders ask for (`"$ECHO_PORT"`: echoServers; `"$BROKER_PORT"`: an aedes MQTT
 * broker; `"$HTTP_PORT"`: example 4.6's HTTP server) started; `close` stops them.
 */
async function worldFor(path: string): Promise<{ world?: World; close(): Promise<void> }> {
  const file = worldFileOf(path);
  if (file === null) return { close: async () => {} };
  const text = readFileSync(file, 'utf8');
  const names = worldPlaceholders(text);
  const unknown = names.filter((name) => !['ECHO_PORT', 'BROKER_PORT', 'HTTP_PORT'].includes(name));
  if (unknown.length > 0) throw new Error(`${file}: unknown placeholders ${unknown.map((n) => `$${n}`).join(', ')}`);
  const echo = names.includes('ECHO_PORT') ? await echoServers() : null;
  const broker = names.includes('BROKER_PORT') ? await startBroker() : null;
  const web = names.includes('HTTP_PORT') ? await exampleHttpServer() : null;
  const close = async () => {
    await echo?.close();
    await broker?.close();
    await web?.close();
  };
  try {
    const values = {
      ...(echo ? { ECHO_PORT: echo.port } : {}),
      ...(broker ? { BROKER_PORT: broker.port } : {}),
      ...(web ? { HTTP_PORT: web.port } : {}),
    };
    const filled = fillPlaceholders(text, values, file);
    return { world: new World(parseWorld(JSON.parse(filled), file)), close };
  } catch (error) {
    await close();
    throw error;
  }
}

test('there are transcripts to replay', () => {
  assert.ok(files.length >= 3, `found ${files.join(', ')}`);
});

for (const file of files) {
  test(`transcript ${file}`, async () => {
    const transcript = loadTranscript(join(dir, file));
    const { world, close } = await worldFor(join(dir, file));
    const echo = echoOf(join(dir, file));
    const m = createModule({ bootMs: 5, ...(world ? { world } : {}), ...(echo === null ? {} : { echo }) });
    const faults: unknown[] = [];
    m.module.on('fault', (e) => faults.push(e));
    try {
      await runTranscript(m.stream, boot, { settleMs: 0 });
      await runTranscript(m.stream, transcript);
      assert.deepEqual(faults, [], 'no handler may throw');
    } finally {
      m.close();
      await close();
    }
  });
}

test('the runner works over a TCP socket too (chaining.at against fc41d\'s TCP transport)', async () => {
  assert.equal(echoOf(join(dir, 'chaining.at')), false);
  const module = new Fc41dModule({ bootMs: 5, echo: false });
  const tcp = await startTcpTransport('127.0.0.1', 0, module);
  const socket = connect(tcp.address.port, tcp.address.host);
  try {
    await runTranscript(socket, boot, { settleMs: 0 });
    await runTranscript(socket, loadTranscript(join(dir, 'chaining.at')));
  } finally {
    socket.destroy();
    await tcp.close();
    module.powerOff();
  }
});

// The runner must fail loudly, or a broken transcript would pass unnoticed.
async function replayFails(text: string, pattern: RegExp): Promise<void> {
  const m = createModule({ bootMs: 5, echo: false });
  try {
    await runTranscript(m.stream, boot, { settleMs: 0 });
    await assert.rejects(runTranscript(m.stream, parseTranscript(text, 'self'), { timeoutMs: 300, settleMs: 50 }), pattern);
  } finally {
    m.close();
  }
}

test('runner: a wrong line fails and shows what came', async () => {
  await replayFails('> AT+QVERSION\n< OK', /self:2: < OK\nexpected "OK"\n +got "\+QVERSION:FC41DAAR03A09M02\.bin_202406260343"[^]*output not yet read[^]*"OK"/);
});

test('runner: an unexpected line between expected ones fails', async () => {
  await replayFails('> AT+QWLMAC\n< OK', /got "\+QWLMAC:c8:47:8c:42:00:48"/);
});

test('runner: output left after the last step fails', async () => {
  await replayFails('> AT\n> AT\n< OK', /end\nunexpected output after the last step: \["OK"\]/);
});

test('runner: a broken silence fails, a missing line times out', async () => {
  await replayFails('> AT\nsilence 100', /expected 100 ms of silence, got \["OK"\]/);
  await replayFails('> AT\n< OK\n< OK', /self:3: < OK\nexpected "OK", got nothing \(timed out\)/);
  await replayFails('> AT\nwait-for ready', /never saw "ready"[^]*-- "OK"/);
});

test('runner: regex lines, raw escapes and unterminated prompts', async () => {
  const m = createModule({ bootMs: 5, echo: false });
  try {
    await runTranscript(m.stream, boot, { settleMs: 0 });
    // Echoed text with no CR yet counts as a line once the module is quiet.
    const text = 'raw A\\x54\\r\\n\n~ ^O.$\n> AT+QECHO=1\n< OK\nraw AT+QVERSION\n< AT+QVERSION\nraw \\r\n< +QVERSION:FC41DAAR03A09M02.bin_202406260343\n< OK';
    await runTranscript(m.stream, parseTranscript(text, 'self'));
  } finally {
    m.close();
  }
});

test('runner: `# world: <file>` names a world file next to the transcript', async () => {
  assert.equal(worldFileOf(join(dir, 'system.at')), null);
  // `# echo: off` likewise: system.at stands for a factory module (echo on), wifi.at does not.
  assert.equal(echoOf(join(dir, 'system.at')), null);
  assert.equal(echoOf(join(dir, 'wifi.at')), false);
  assert.equal(worldFileOf(join(dir, 'wifi.at')), join(dir, 'wifi.world.json'));
  const { world, close } = await worldFor(join(dir, 'example-4.1.at'));
  await close();
  assert.deepEqual(world?.accessPoints().map((ap) => ap.ssid), ['testssid']);
});

test('runner: world placeholders become numbers before the JSON is parsed', async () => {
  const text = '{"hosts": {"a.test": {"address": "127.0.0.1", "ports": {"7": "$ECHO_PORT", "9": "$ECHO_PORT"}}}, "x": "$OTHER_1"}';
  assert.deepEqual(worldPlaceholders(text), ['ECHO_PORT', 'OTHER_1']);
  assert.equal(
    fillPlaceholders(text, { ECHO_PORT: 40123, OTHER_1: 5 }),
    '{"hosts": {"a.test": {"address": "127.0.0.1", "ports": {"7": 40123, "9": 40123}}}, "x": 5}',
  );
  assert.throws(() => fillPlaceholders(text, { ECHO_PORT: 1 }, 'w.json'), /w\.json: no value for the placeholder "\$OTHER_1"/);
  assert.deepEqual(worldPlaceholders('{"ssid": "$not a placeholder", "p": "$lower"}'), []);
  // The chapter-4.3 world: its echo servers answer on one port, TCP and UDP alike.
  const path = join(dir, 'example-4.3.1.at');
  assert.deepEqual(worldPlaceholders(readFileSync(worldFileOf(path)!, 'utf8')), ['ECHO_PORT']);
  const { world, close } = await worldFor(path);
  try {
    const target = world!.resolveHost('220.180.239.201', 8252);
    assert.equal(target?.address, '127.0.0.1');
    const socket = connect(target!.port, '127.0.0.1');
    socket.end('tcp');
    const tcp: Buffer[] = [];
    for await (const chunk of socket) tcp.push(chunk as Buffer);
    assert.equal(Buffer.concat(tcp).toString(), 'tcp');
    const udp = createSocket('udp4');
    const reply = new Promise<string>((resolve) => udp.once('message', (msg) => resolve(msg.toString())));
    udp.send('udp', target!.port, '127.0.0.1');
    assert.equal(await reply, 'udp');
    udp.close();
  } finally {
    await close();
  }
});

test('runner: syntax errors name the file and line', () => {
  assert.throws(() => parseTranscript('> AT\nexpect OK', 'bad'), /bad:2: cannot read "expect OK"/);
  assert.throws(() => parseTranscript('wait soon', 'bad'), /bad:1: expected milliseconds/);
  assert.throws(() => parseTranscript('raw \\q', 'bad'), /bad:1: bad escape \\q/);
  assert.throws(() => parseTranscript('~ (', 'bad'), /bad:1: /);
  assert.deepEqual(parseTranscript('raw \\x00\\xff\\\\\\t', 'ok').steps[0], {
    kind: 'send', bytes: Buffer.from([0, 0xff, 0x5c, 9]), at: 1, source: 'raw \\x00\\xff\\\\\\t',
  });
});
