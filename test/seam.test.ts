/**
 * The feature seam's rules (docs/architecture.md): the module knows no command group by name,
 * services print no AT text, and every group reaches the module only through its FeatureHost.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { createModule } from '../src/index.ts';
import { FEATURES } from '../src/features.ts';

const SRC = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (text: string) => [...text.matchAll(/(?:import|export)\s[^;]*?from\s+'([^']+)'/g)].map((m) => m[1]);

/** Code without comments, so a comment that quotes a URC is not AT text. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

test('src/device/ imports no command file, no service and no group folder by name (only the feature list)', () => {
  const groups = FEATURES.map((f) => f.name);
  assert.ok(groups.length >= 4, `features: ${groups.join(', ')}`);
  for (const file of files(join(SRC, 'device'))) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const where = relative(SRC, join(file, '..', spec));
      const bad = /(^|\/)(commands|service|reports)\.ts$/.test(where) || /^(wifi|tcpip|ssl|system|net|mqtt|http|ble)\//.test(where);
      assert.ok(!bad, `${relative(SRC, file)} imports ${spec}`);
    }
  }
});

test('AT response text is formatted only in the AT layer and in the groups\' commands and reports', () => {
  // client/words.ts: the host library reads what the module prints (it formats nothing).
  const allowed = (path: string) =>
    /^(at|commands|cli)\//.test(path) || /\/(commands|reports|socket-common)\.ts$/.test(path) || path === 'client/words.ts';
  const atText = /['"`](\\r\\n)?(\+Q[A-Z]+:|OK['"`]|ERROR['"`]|SEND (OK|FAIL)|NO CARRIER|CONNECT['"`])/;
  const offenders: string[] = [];
  let checked = 0;
  for (const file of files(SRC)) {
    const path = relative(SRC, file);
    if (allowed(path)) continue;
    checked++;
    const match = atText.exec(code(readFileSync(file, 'utf8')));
    if (match) offenders.push(`${path}: ${match[0]}`);
  }
  assert.ok(checked > 30, `checked ${checked} files`);
  assert.deepEqual(offenders, []);
});

test('the checker above finds AT text in a service, and a device import of a group', () => {
  // The same patterns, on lines that must trip them (so the checks above can fail).
  const atText = /['"`](\\r\\n)?(\+Q[A-Z]+:|OK['"`]|ERROR['"`]|SEND (OK|FAIL)|NO CARRIER|CONNECT['"`])/;
  assert.ok(atText.test(code("host.urc(`+QSTASTAT:${event}`);")));
  assert.ok(atText.test(code("return 'ERROR';")));
  assert.ok(!atText.test(code('// the `+QSTASTAT:` URC')));
  assert.deepEqual(importsOf("import { WifiService } from '../wifi/service.ts';"), ['../wifi/service.ts']);
});

test('every feature is made once per module and its commands reach its own service', async () => {
  const m = createModule({ echo: false });
  try {
    const names = new Set(m.module.registry.all().map((s) => s.name));
    for (const feature of FEATURES) {
      assert.ok(m.module.service(feature), feature.name);
      for (const spec of feature.commands) assert.ok(names.has(spec.name), `${feature.name}: ${spec.name}`);
    }
    assert.equal(names.size, FEATURES.reduce((n, f) => n + f.commands.length, 0), 'no command declared by two features');
  } finally {
    m.close();
  }
});
