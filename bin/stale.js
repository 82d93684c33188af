// Whether dist/fc41d.cjs (scripts/build.mjs) still matches the sources it was bundled from.
// The build records the size and mtime of each of them in dist/build-stamp.json: every file
// of src/ it bundled, the package.json of each package it bundled (npm rewrites them when a
// dependency changes), and the build script and bin/'s loader. A file whose size or mtime
// differs (older counts too: a restored file may be) or that is gone makes the bundle stale.
// A few dozen stat calls: a millisecond or two (bench/startup.ts prints it).
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const ENTRY = 'src/cli/main.ts';
const BUNDLE = 'dist/fc41d.cjs';
/** V8's code cache for the bundle, tagged with the bundle it was made from (bin/bundle.js). */
const CODE_CACHE = 'dist/fc41d.cjs.cache';
const STAMP_FILE = 'dist/build-stamp.json';
/** Not bundled, but they decide what the bundle is and how it runs. */
const BUILD_FILES = ['scripts/build.mjs', 'bin/stale.js', 'bin/bundle.js'];

/** node_modules/zod/v4/core/core.js → node_modules/zod/package.json (scoped packages too). */
function packageJsonOf(path) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
  return m ? `${m[1]}/package.json` : path;
}

function fingerprint(root, path) {
  const s = statSync(join(root, path), { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs] : null;
}

/**
 * What the build writes to the stamp: each file that decides the bundle, with its fingerprint.
 * `before` holds fingerprints taken before bundling (see scripts/build.mjs): a file edited
 * while the bundle was being made then no longer matches, and the bundle counts as stale.
 */
function describeInputs(root, inputs, before = {}) {
  const paths = [...new Set([...inputs.map((p) => packageJsonOf(p.split('\\').join('/'))), ...BUILD_FILES])].sort();
  return { files: Object.fromEntries(paths.map((p) => [p, p in before ? before[p] : fingerprint(root, p)])) };
}

/** Fingerprints of every file under `dir` (relative to root), for `describeInputs`' `before`. */
function fingerprintTree(root, dir) {
  const out = {};
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = relative(root, join(entry.parentPath ?? entry.path, entry.name)).split('\\').join('/');
    out[path] = fingerprint(root, path);
  }
  return out;
}

/** Why the bundle cannot be used (not built, or the first file that changed), or null when it is fresh. */
function staleReason(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8'));
  } catch {
    return 'not built';
  }
  if (!statSync(join(root, BUNDLE), { throwIfNoEntry: false })) return 'not built';
  for (const [path, recorded] of Object.entries(stamp.files)) {
    const now = fingerprint(root, path);
    if (now === null || recorded === null || now[0] !== recorded[0] || now[1] !== recorded[1]) return `${path} changed`;
  }
  return null;
}

module.exports = { ENTRY, BUNDLE, CODE_CACHE, STAMP_FILE, describeInputs, fingerprintTree, staleReason };
