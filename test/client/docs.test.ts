// docs/client.md's example, as a new user would run it: copied into a folder of its own that has
// fc41d-emulator installed, run with `node --import tsx` against `fc41d serve --tcp`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, test } from 'node:test';
import { cleanUp, cleanups, serveTcp, tempDir, WAIT_MS } from '../helpers/cli.ts';

afterEach(cleanUp);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function example(): string {
  const doc = readFileSync(join(ROOT, 'docs/client.md'), 'utf8');
  const m = /<!-- example: device\.mjs -->\n```js\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, 'docs/client.md has the example');
  return m[1];
}

test('the example in docs/client.md is 10 lines and runs unchanged against `fc41d serve`', async () => {
  const code = example();
  assert.equal(code.trimEnd().split('\n').length, 10);
  const dir = tempDir('fc41d-client-doc-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'fc41d-emulator'));
  writeFileSync(join(dir, 'device.mjs'), code);
  const { port } = await serveTcp();
  const tsx = import.meta.resolve('tsx');
  const proc = spawn(process.execPath, ['--import', tsx, 'device.mjs', `tcp:127.0.0.1:${port}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => proc.exitCode === null && proc.kill('SIGKILL'));
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b));
  proc.stderr.on('data', (b: Buffer) => (out += b));
  const code_ = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example still running: ${out}`)), WAIT_MS);
    proc.once('close', (c) => (clearTimeout(timer), resolve(c)));
  });
  assert.equal(code_, 0, out);
  assert.match(out, /^firmware FC41D\w+\.bin_\d+$/m);
  assert.match(out, /^urc \+QSTASTAT GOT_IP$/m);
  assert.match(out, /^joined \+QGETIP:ip:\d+\.\d+\.\d+\.\d+,/m);
});
