// Compiles the test files for scripts/run-tests.mjs once per run, so each file starts on bare
// node instead of paying the TypeScript loader's start-up (tsx: ≈ 0.4 s of CPU per process,
// a fifth of the whole suite's CPU on a 2-core machine).
//
// esbuild bundles every test file with the sources it imports (packages stay external, found
// through node_modules as before) into a folder of its own under node_modules/.cache/fc41d-tests/
// (runs at the same time do not share one), sharing common code in chunks. `import.meta.url`, `.dirname` and `.filename` keep meaning the original .ts file, so
// fixtures found next to a test or a source are found as before; source maps make stack traces
// name the .ts files and lines.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BUNDLE_ROOT = 'node_modules/.cache/fc41d-tests';

/**
 * Each module's import.meta location stays that of its own source file; a plain script it
 * imports (bin/*.js, possibly CommonJS) is not bundled but loaded from where it is.
 */
const keepLocations = {
  name: 'keep-locations',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (/\.[cm]?ts$/.test(args.path)) return undefined;
      return { path: pathToFileURL(resolve(args.resolveDir, args.path)).href, external: true };
    });
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Bundles `files` (paths relative to `root`) into a new folder; returns the folder (the caller
 * removes it) and each file's compiled script.
 */
export async function bundleTests(root, files) {
  mkdirSync(resolve(root, BUNDLE_ROOT), { recursive: true });
  const outdir = mkdtempSync(join(resolve(root, BUNDLE_ROOT), 'run-'));
  await build({
    absWorkingDir: root,
    entryPoints: files.map((file) => ({ in: file, out: file.replace(/\.ts$/, '') })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [keepLocations],
  });
  return { outdir, scripts: new Map(files.map((file) => [file, join(outdir, relative(root, resolve(root, file)).replace(/\.ts$/, '.mjs'))])) };
}
