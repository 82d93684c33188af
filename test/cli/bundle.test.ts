/**
 * The start-up path (issue 9 item 6): `npm ci` / `npm run build` bundle the CLI into
 * dist/fc41d.cjs with a V8 code cache (scripts/build.mjs); bin/fc41d.js runs that bundle when
 * it matches the sources and src/ through tsx when it does not (bin/stale.js). Built in a
 * copy of the tree, so the checkout's own dist/ is never touched.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileBundle } from '../../bin/bundle.js';
import { BUNDLE, CODE_CACHE, describeInputs, STAMP_FILE, staleReason } from '../../bin/stale.js';

const TEST = { timeout: 90_000 };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const tree = mkdtempSync(join(tmpdir(), 'fc41d-bundle-'));
let buildOutput = '';

/** `fc41d …args` in the copied tree. */
const fc41d = (...args: string[]) => run(process.execPath, [join(tree, 'bin/fc41d.js'), ...args], { env: { ...process.env, FC41D_FROM_SRC: '' } });

/** Stamps the tree's current sources as what the bundle was built from. */
function restamp(): void {
  const stamp = JSON.parse(readFileSync(join(tree, STAMP_FILE), 'utf8')) as { files: Record<string, unknown> };
  writeFileSync(join(tree, STAMP_FILE), JSON.stringify(describeInputs(tree, Object.keys(stamp.files))));
  assert.equal(staleReason(tree), null);
}

before(async () => {
  for (const path of ['src', 'bin', 'scripts/build.mjs', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, path), join(tree, path), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const { stdout, stderr } = await run(process.execPath, ['scripts/build.mjs'], { cwd: tree });
  buildOutput = stdout + stderr;
});
after(() => rmSync(tree, { recursive: true, force: true }));

test('build: the bundle, its stamp and a code cache V8 takes; the bundle runs the CLI', TEST, async () => {
  assert.ok(existsSync(join(tree, BUNDLE)) && existsSync(join(tree, CODE_CACHE)), buildOutput);
  assert.equal(staleReason(tree), null);
  const stamp = JSON.parse(readFileSync(join(tree, STAMP_FILE), 'utf8')) as { files: Record<string, unknown> };
  assert.ok('src/cli/main.ts' in stamp.files && 'src/cli/serve.ts' in stamp.files);
  // (node_modules is a symlink here: esbuild names its files by their real path)
  assert.ok(Object.keys(stamp.files).some((path) => path.endsWith('node_modules/zod/package.json')));
  assert.equal(compileBundle(tree).cacheUsed, true);
  const { stdout } = await fc41d('--help');
  assert.match(stdout, /^Usage: fc41d /);
});

test('build: a code cache made for another bundle is not used, even for a source of the same length', TEST, () => {
  const bundle = join(tree, BUNDLE);
  const later = new Date(statSync(bundle).mtimeMs + 5_000);
  utimesSync(bundle, later, later); // what a rebuild of the same length looks like to the cache
  assert.equal(compileBundle(tree).cacheUsed, false);
});

test('bin: runs the bundle while it matches src/, src/ through tsx once a source changed', TEST, async () => {
  writeFileSync(join(tree, BUNDLE), "process.stdout.write('the bundle ran\\n');");
  assert.equal((await fc41d('--help')).stdout, 'the bundle ran\n');

  const source = join(tree, 'src/cli/options.ts');
  const later = new Date(statSync(source).mtimeMs + 5_000);
  utimesSync(source, later, later);
  assert.equal(staleReason(tree), 'src/cli/options.ts changed');
  const { stdout } = await fc41d('--help');
  assert.match(stdout, /^Usage: fc41d /);
});

test('staleness: an older mtime, another size, a removed source, a missing stamp; dependencies by their package.json', TEST, () => {
  const source = join(tree, 'src/cli/options.ts');
  restamp();
  const earlier = new Date(statSync(source).mtimeMs - 60_000);
  utimesSync(source, earlier, earlier); // e.g. a file restored from an archive
  assert.equal(staleReason(tree), 'src/cli/options.ts changed');

  restamp();
  const { mtime } = statSync(source);
  writeFileSync(source, readFileSync(source, 'utf8') + '\n');
  utimesSync(source, mtime, mtime); // same mtime, one byte more
  assert.equal(staleReason(tree), 'src/cli/options.ts changed');

  restamp();
  unlinkSync(join(tree, 'src/cli/ota-image.ts'));
  assert.equal(staleReason(tree), 'src/cli/ota-image.ts changed');

  unlinkSync(join(tree, STAMP_FILE));
  assert.equal(staleReason(tree), 'not built');

  const files = describeInputs(tree, ['node_modules/zod/v4/core/core.js', 'node_modules/@types/node/net.d.ts', 'src/clock.ts']).files;
  assert.deepEqual(Object.keys(files), ['bin/bundle.js', 'bin/stale.js', 'node_modules/@types/node/package.json', 'node_modules/zod/package.json', 'scripts/build.mjs', 'src/clock.ts']);
});

test('npm test runs the CLI tests against a fresh bundle of this checkout', TEST, () => {
  // `npm test` builds just before it runs the tests, so its spawned `fc41d` run the bundle;
  // a test file run on its own may follow an edit without a build (and so runs src/ via tsx).
  if (process.env.npm_lifecycle_event === 'test') assert.equal(staleReason(ROOT), null);
  else assert.ok(staleReason(ROOT) === null || typeof staleReason(ROOT) === 'string');
});
