// `npm run build` (and `npm ci`, through the `prepare` script): bundles the `fc41d` command,
// src/cli/main.ts and everything it imports (zod and commander too), into one CommonJS file,
// dist/fc41d.cjs, and records V8's code cache for it, so that `fc41d serve` starts without the
// TypeScript loader, without resolving a hundred small modules, and without compiling what it
// compiled last time (bench/startup.ts measures it). Types are not checked here: `npm run
// typecheck` does that.
//
// dist/build-stamp.json records the size and mtime of every source the bundle was made from;
// bin/fc41d.js compares them (bin/stale.js) and runs src/ through tsx when anything changed,
// so an edited src/ is never served from an old bundle.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WRITE_CACHE_ENV } from '../bin/bundle.js';
import { BUNDLE, CODE_CACHE, describeInputs, ENTRY, fingerprintTree, STAMP_FILE, staleReason } from '../bin/stale.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundleFile = join(root, BUNDLE);

/**
 * Files a source reaches by `new URL('./x', import.meta.url)` (e.g. the PTY relay script) stay
 * in src/: the bundle lives elsewhere, so the relative URL is rewritten to point from dist/ back
 * at the file in src/.
 */
const assetsStayInSrc = {
  name: 'assets-stay-in-src',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const contents = text.replace(/new URL\((['"])(\.\.?\/[^'"]+)\1,\s*import\.meta\.url\)/g, (_, q, rel) => {
        const target = relative(dirname(bundleFile), resolve(dirname(args.path), rel)).split('\\').join('/');
        return `new URL(${q}${target.startsWith('.') ? target : `./${target}`}${q}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

/** Replaces a file at once: a `fc41d` starting meanwhile (another test run) reads the old or the new. */
function writeAtomically(path, contents) {
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
}

const before = { ...fingerprintTree(root, 'src'), ...fingerprintTree(root, 'scripts'), ...fingerprintTree(root, 'bin') };
mkdirSync(dirname(bundleFile), { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [ENTRY],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // CommonJS has no import.meta: the bundle's own file URL stands in for it.
  define: { 'import.meta.url': '__fc41dFileUrl' },
  banner: { js: "const __fc41dFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  // import() of a Node built-in becomes require(): bin/bundle.js runs the bundle through
  // vm.Script, where import() needs an experimental flag.
  supported: { 'dynamic-import': false },
  // Less to read and hash; identifiers are kept so stack traces still name functions.
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
  // Anything of import.meta but .url would be empty in CommonJS: refuse to build rather than break.
  logOverride: { 'empty-import-meta': 'error' },
  plugins: [assetsStayInSrc],
});
// The map first and the bundle next, then the stamp: a stamp is never newer than its bundle.
const outputs = result.outputFiles;
for (const file of [...outputs.filter((f) => f.path.endsWith('.map')), ...outputs.filter((f) => !f.path.endsWith('.map'))])
  writeAtomically(file.path, file.contents);
const inputs = Object.keys(result.metafile.inputs);
writeAtomically(join(root, STAMP_FILE), JSON.stringify(describeInputs(root, inputs, before)).replaceAll('],"', '],\n"') + '\n');
const stale = staleReason(root);

/**
 * The code cache: one `fc41d serve` run until it listens, so the cache holds what a start-up
 * compiles. Optional: without it the bundle starts slower but the same.
 */
async function warmUp() {
  const child = spawn(process.execPath, [join(root, 'bin/fc41d.js'), 'serve', '--tcp', '127.0.0.1:0'], {
    cwd: root,
    env: { ...process.env, FC41D_FROM_SRC: '', [WRITE_CACHE_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b) => {
    out += b;
    if (/listening on tcp/.test(out)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (b) => (out += b));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise((r) => child.once('exit', r));
  clearTimeout(timer);
  if (code !== 0) console.warn(`fc41d build: no code cache (the warm-up run exited ${code}): ${out.trim()}`);
}
if (stale === null) {
  await warmUp();
  console.log(`fc41d build: ${BUNDLE} from ${inputs.length} files, ${CODE_CACHE}`);
} else {
  // A source edited while the bundle was being made: the stamp holds its old fingerprint.
  console.warn(`fc41d build: ${stale} during the build; fc41d runs src/ through tsx until the next build`);
}
