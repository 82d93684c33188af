/**
 * No import cycles under src/ (issue 9: "no import cycles", type-only imports included), checked
 * by scripts/check-cycles.mjs; and the checker itself, on small trees with and without a cycle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';

const SCRIPT = 'scripts/check-cycles.mjs';

function check(dir?: string): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [SCRIPT, ...(dir ? [dir] : [])], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'fc41d-cycles-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A tree of files under a fresh folder. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('src/ has no import cycles', () => {
  const { status, out } = check();
  assert.equal(status, 0, out);
});

test('the checker finds a cycle through a type-only, a multi-line and a re-export import', () => {
  const root = tree('cyclic', {
    'a/types.ts': "import type { B } from '../b/types.ts';\nexport type A = { b: B };\n",
    'b/types.ts': "import {\n  helper,\n  type C,\n} from './c.ts';\nexport type B = C;\nexport { helper };\n",
    'b/c.ts': "export * from '../a/types.ts';\nexport type C = number;\nexport const helper = 1;\n",
    'd.ts': "import { helper } from './b/types.ts';\nexport const d = helper;\n",
  });
  const { status, out } = check(root);
  assert.equal(status, 1, out);
  assert.match(out, /1 import cycle\(s\) in 1 group\(s\)/);
  for (const file of ['a/types.ts', 'b/types.ts', 'b/c.ts']) assert.match(out, new RegExp(`  \\S*${file.replace('.', '\\.')}\\n`));
  assert.doesNotMatch(out, /d\.ts/, 'a file that only imports into the cycle is not in it');
  assert.match(out, /a\/types\.ts ⇢ \S*b\/types\.ts → \S*b\/c\.ts → \S*a\/types\.ts/);
});

test('the checker ignores imports in comments and strings, and non-relative ones', () => {
  const root = tree('acyclic', {
    'x.ts': "// import { y } from './y.ts';\n/* export * from './y.ts' */\nimport { readFileSync } from 'node:fs';\nexport const s = \"import './y.ts'\";\nexport const x = readFileSync;\n",
    'y.ts': "import { x } from './x.ts';\nexport const y = x;\n",
  });
  const { status, out } = check(root);
  assert.equal(status, 0, out);
  assert.match(out, /no import cycles/);
});

test('a file importing itself is a cycle', () => {
  const root = tree('self', { 'z.ts': "import { z as again } from './z.ts';\nexport const z = 1;\nexport { again };\n" });
  const { status, out } = check(root);
  assert.equal(status, 1, out);
  assert.match(out, /cycle: \S*z\.ts → \S*z\.ts/);
});
