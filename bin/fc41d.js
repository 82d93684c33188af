#!/usr/bin/env node
// The `fc41d` command. It runs the bundle `npm ci` / `npm run build` makes (scripts/build.mjs,
// run by bin/bundle.js), which starts in a fraction of the time, when that bundle is fresh.
// When src/ changed since the build (bin/stale.js), or with FC41D_FROM_SRC=1, it runs the
// TypeScript sources through tsx instead, so an edit is never served from an old bundle.
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { staleReason } = require('./stale.js');

const root = join(__dirname, '..');
const stale = process.env.FC41D_FROM_SRC === '1' ? 'FC41D_FROM_SRC=1' : staleReason(root);
if (stale === null) {
  require('./bundle.js').runBundle(root);
} else {
  // A person at a terminal learns why the start is slow; tests and scripts see nothing.
  if (process.stderr.isTTY && process.env.FC41D_FROM_SRC !== '1')
    process.stderr.write(`fc41d: running src/ through tsx (${stale}; \`npm run build\` for a faster start)\n`);
  void import('tsx/esm/api').then(({ register }) => {
    register();
    return import(pathToFileURL(join(root, 'src/cli/main.ts')).href);
  });
}
