/**
 * Replays every test/transcripts/*.at file against a fresh in-process module, after `ready`;
 * a transcript with a `# world: <file>` line gets a module in that world (the default world
 * otherwise). The format is described in test/helpers/transcript.ts and docs/transcripts.md.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createModule, Fc41dModule, parseWorld, World } from '../src/index.ts';
import { startTcpTransport } from '../src/transport/tcp.ts';
import { loadTranscript, parseTranscript, runTranscript, worldFileOf } from './helpers/transcript.ts';

const dir = fileURLToPath(new URL('./transcripts/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.at')).sort();
const boot = parseTranscript('wait-for ready', 'boot');

/** The world a transcript asks for (`# world: <file>`), built fresh for each replay. */
function worldFor(path: string): World | undefined {
  const file = worldFileOf(path);
  if (file === null) return undefined;
  return new World(parseWorld(JSON.parse(readFileSync(file, 'utf8')), file));
}

test('there are transcripts to replay', () => {
  assert.ok(files.length >= 3, `found ${files.join(', ')}`);
});

for (const file of files) {
  test(`transcript ${file}`, async () => {
    const transcript = loadTranscript(join(dir, file));
    const world = worldFor(join(dir, file));
    const m = createModule({ bootMs: 5, ...(world ? { world } : {}) });
    const faults: unknown[] = [];
    m.module.on('fault', (e) => faults.push(e));
    try {
      await runTranscript(m.stream, boot, { settleMs: 0 });
      await runTranscript(m.stream, transcript);
      assert.deepEqual(faults, [], 'no handler may throw');
    } finally {
      m.close();
    }
  });
}

test('the runner works over a TCP socket too (chaining.at against fc41d\'s TCP transport)', async () => {
  const module = new Fc41dModule({ bootMs: 5 });
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
  const m = createModule({ bootMs: 5 });
  try {
    await runTranscript(m.stream, boot, { settleMs: 0 });
    await assert.rejects(runTranscript(m.stream, parseTranscript(text, 'self'), { timeoutMs: 300, settleMs: 50 }), pattern);
  } finally {
    m.close();
  }
}

test('runner: a wrong line fails and shows what came', async () => {
  await replayFails('> AT+QVERSION\n< OK', /self:2: < OK\nexpected "OK"\n +got "\+QVERSION: FC41DAAR03A09"[^]*output not yet read[^]*"OK"/);
});

test('runner: an unexpected line between expected ones fails', async () => {
  await replayFails('> AT+QWLMAC\n< OK', /got "\+QWLMAC: c8:47:8c:42:00:48"/);
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
  const m = createModule({ bootMs: 5 });
  try {
    await runTranscript(m.stream, boot, { settleMs: 0 });
    // Echoed text with no CR yet counts as a line once the module is quiet.
    const text = 'raw A\\x54\\r\\n\n~ ^O.$\n> AT+QECHO=1\n< OK\nraw AT+QVERSION\n< AT+QVERSION\nraw \\r\n< +QVERSION: FC41DAAR03A09\n< OK';
    await runTranscript(m.stream, parseTranscript(text, 'self'));
  } finally {
    m.close();
  }
});

test('runner: `# world: <file>` names a world file next to the transcript', () => {
  assert.equal(worldFileOf(join(dir, 'system.at')), null);
  assert.equal(worldFileOf(join(dir, 'wifi.at')), join(dir, 'wifi.world.json'));
  const world = worldFor(join(dir, 'example-4.1.at'));
  assert.deepEqual(world?.accessPoints().map((ap) => ap.ssid), ['testssid']);
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
