/**
 * `fc41d test --net record` then `--net replay`, with the real command on a copy of the MQTT
 * example: the record run writes the cassette beside the scenario, the replay run (no broker, the
 * cassette plays it) passes with a byte-identical module transcript, and a replay with no cassette
 * is an infrastructure error (exit 3), never a quiet pass.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanUp, runTestCommand, tempDir } from '../helpers/cli.ts';

afterEach(cleanUp);
// Paths below (and in the reports) are relative to the repository's root.
process.chdir(fileURLToPath(new URL('../..', import.meta.url)));

const run = runTestCommand;

test('record, then replay: the same module transcript; no cassette: exit 3', async () => {
  const dir = tempDir('fc41d-net-');
  for (const f of ['mqtt-pubsub.yaml', 'mqtt_pubsub.py', 'uart.py']) copyFileSync(join('examples/scenarios', f), join(dir, f));
  const scenario = join(dir, 'mqtt-pubsub.yaml');

  const replayWithout = await run(scenario, '--net', 'replay', '--json');
  assert.equal(replayWithout.code, 3, replayWithout.stderr);
  assert.match(JSON.parse(replayWithout.stdout).scenarios[0].error, /cassette/);

  const record = await run(scenario, '--net', 'record', '--seed', '5', '--junit', join(dir, 'record', 'junit.xml'));
  assert.equal(record.code, 0, record.stderr);
  const cassette = join(dir, 'mqtt-pubsub.cassette.json');
  assert.ok(existsSync(cassette), 'the cassette is beside the scenario');
  assert.match(readFileSync(cassette, 'utf8'), /sensors\/office\/temperature/);

  const replay = await run(scenario, '--net', 'replay', '--seed', '5', '--junit', join(dir, 'replay', 'junit.xml'));
  assert.equal(replay.code, 0, replay.stderr);
  const recorded = readFileSync(join(dir, 'record', 'mqtt-pubsub.transcript.txt'), 'utf8');
  assert.match(recorded, /\+QMTRECV: 0,\d+,"sensors\/office\/temperature",4,"21\.5"/);
  assert.equal(readFileSync(join(dir, 'replay', 'mqtt-pubsub.transcript.txt'), 'utf8'), recorded);
  assert.match(readFileSync(join(dir, 'replay', 'junit.xml'), 'utf8'), /<property name="net" value="replay"\/>/);
});
