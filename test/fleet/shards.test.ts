/**
 * Beyond one box, on one machine: 4 `fc41d fleet` shard processes of 25 devices against one
 * broker (aedes in this process), two told their shard by --shard and two by the variables a
 * Kubernetes Indexed Job sets; 100 distinct client ids reach the broker and `fleet merge` adds
 * them up to 100 with no duplicate.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { spawn } from 'node:child_process';
import { startAedes } from '../helpers/aedes.ts';
import { BIN, Cli, cleanUp, cleanups, tempDir } from '../helpers/cli.ts';

afterEach(cleanUp);

/** `fc41d ARGS` with extra environment variables, to its end. */
function run(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b));
  proc.stderr.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => proc.once('close', (code) => resolve({ code, stdout, stderr })));
  return { proc, exited };
}

test('4 shards of 25 against one broker: 100 distinct client ids, merged total 100', { timeout: 60_000 }, async () => {
  const broker = await startAedes();
  cleanups.push(() => broker.close());
  const clientIds = new Set<string>();
  let connects = 0;
  const subscribed = new Set<string>();
  let allSubscribed: () => void;
  const ready = new Promise<void>((resolve) => (allSubscribed = resolve));
  broker.aedes.on('client', (c) => {
    connects++;
    clientIds.add(c.id);
  });
  broker.aedes.on('subscribe', (_subs, c) => {
    subscribed.add(c.id);
    if (subscribed.size === 100) allSubscribed();
  });
  const dir = tempDir();
  // No --duration: the shards run until every device has its session (on a loaded 2-core box
  // four processes take a while to start), then SIGTERM ends each as a Job's deletion would.
  const common = ['fleet', '--devices', '100', '--behaviour', 'telemetry', '--ap', 'Office:correct-horse', '--broker', `127.0.0.1:${broker.port}`, '--interval', '1'];
  const files = [0, 1, 2, 3].map((i) => join(dir, `shard-${i}.json`));
  const children = files.map((results, i) =>
    i < 2
      ? run([...common, '--shard', `${i}/4`, '--results', results])
      : run([...common, '--results', results], { JOB_COMPLETION_INDEX: String(i), FC41D_SHARD_COUNT: '4' }),
  );
  await ready;
  await new Promise((r) => setTimeout(r, 500)); // the last SUBACKs reach their modules
  for (const c of children) c.proc.kill('SIGTERM');
  const shards = await Promise.all(children.map((c) => c.exited));
  for (const [i, s] of shards.entries()) {
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`^fc41d: fleet devices 25 \\(indices ${i * 25}–${i * 25 + 24} of 100, shard ${i}/4\\)$`, 'm'));
    assert.match(s.stdout, /^fc41d: fleet MQTT connected 25 \(peak 25\)/m, s.stdout);
  }
  assert.equal(clientIds.size, 100);
  assert.equal(connects, 100, 'no device connected twice');

  const merge = new Cli(['fleet', 'merge', ...files]);
  assert.equal((await merge.exited).code, 0, merge.stdout + merge.stderr);
  assert.match(merge.stdout, /^fc41d: fleet merged 4 shards: devices 100 of 100, distinct client ids 100$/m);
  assert.match(merge.stdout, /^fc41d: fleet joined 100, MQTT connected 100 \(peak 100\)/m);
});
