// Runs dist/fc41d.cjs, the bundle scripts/build.mjs makes, with V8's code cache
// (dist/fc41d.cjs.cache): the functions a start-up compiles are read back already compiled,
// which saves about a third of the time to "listening". Node 20 has no code cache for ES
// modules nor for require(), hence a CommonJS bundle compiled here through vm.Script.
// V8 rejects a cache made by another Node version or with other V8 flags, but it only checks
// the length of the source, so the cache starts with the size and mtime of the bundle it was
// made from and is ignored when they differ. Without a usable cache the bundle compiles from
// source: slower, the same code.
const { closeSync, fstatSync, openSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const { BUNDLE, CODE_CACHE } = require('./stale.js');

/** Set by the build's warm-up run (scripts/build.mjs): write the code cache on exit. */
const WRITE_CACHE_ENV = 'FC41D_WRITE_CODE_CACHE';

/** The cache's data if it was made from this very bundle. */
function readCache(cacheFile, tag) {
  try {
    const bytes = readFileSync(cacheFile);
    const eol = bytes.indexOf(10);
    return bytes.subarray(0, eol).toString() === tag ? bytes.subarray(eol + 1) : undefined;
  } catch {
    return undefined;
  }
}

/** The bundle compiled, from the code cache when there is a usable one. */
function compileBundle(root) {
  const file = join(root, BUNDLE);
  const fd = openSync(file, 'r');
  const { size, mtimeMs } = fstatSync(fd);
  const source = readFileSync(fd, 'utf8');
  closeSync(fd);
  const tag = `${size}:${mtimeMs}`;
  const cachedData = readCache(join(root, CODE_CACHE), tag);
  // The CommonJS module wrapper, as require() would add it (on the first line: line numbers hold).
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  return { file, script, tag, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

function runBundle(root) {
  const { file, script, tag } = compileBundle(root);
  if (process.env[WRITE_CACHE_ENV] === '1') {
    const cacheFile = join(root, CODE_CACHE);
    process.once('exit', () => {
      writeFileSync(`${cacheFile}.tmp`, Buffer.concat([Buffer.from(`${tag}\n`), script.createCachedData()]));
      renameSync(`${cacheFile}.tmp`, cacheFile);
    });
  }
  const module = { exports: {}, filename: file, id: file };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

module.exports = { WRITE_CACHE_ENV, compileBundle, readCache, runBundle };
