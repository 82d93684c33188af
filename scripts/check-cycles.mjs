#!/usr/bin/env node
// Import cycles among the TypeScript files under a folder (default src/), without dependencies:
// reads every relative `import … from '…'`, `import '…'`, `export … from '…'` (type-only ones
// too: issue 9 wants no type cycles either) and `import('…')`, builds the graph, and prints each
// cycle with its files. Exit 1 when there is one, 0 when there is none, 2 on a usage error.
//
//   node scripts/check-cycles.mjs [dir]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** At most this many elementary cycles are listed per strongly connected group. */
const MAX_CYCLES_PER_GROUP = 50;
const SOURCE = /\.(ts|mts|cts|tsx|js|mjs)$/;

/** The source text without comments, and with every string that cannot be a module specifier emptied. */
export function stripComments(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        else if (c !== '`' && text[j] === '\n') break; // unterminated: stop at the line's end
        j++;
      }
      // Only a string right after `from`, `import` or `import(` can be a specifier; any other
      // is emptied, so `"import './x.ts'"` inside a string is not read as an import.
      const specifierPlace = c !== '`' && /(?:\bfrom|\bimport|\bimport\s*\()\s*$/.test(out);
      out += specifierPlace ? text.slice(i, j + 1) : c + c;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The module specifiers a file imports or re-exports, each marked type-only or not. */
export function importsOf(text) {
  const code = stripComments(text);
  const found = [];
  const patterns = [
    // import x from '…', import { a, type B } from '…', import type { A } from '…', import * as n from '…'
    /\bimport\s+(type\s+)?([\w$*{][^;'"`]*?)\s*from\s*(['"])([^'"]+)\3/g,
    // export { a } from '…', export * from '…', export type { A } from '…', export * as n from '…'
    /\bexport\s+(type\s+)?([*{][^;'"`]*?)\s*from\s*(['"])([^'"]+)\3/g,
    // import '…' (side effects only)
    /\bimport\s*()()(['"])([^'"]+)\3/g,
    // import('…')
    /\bimport\s*\(\s*()()(['"])([^'"]+)\3\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) found.push({ specifier: m[4], typeOnly: Boolean(m[1]) || onlyTypes(m[2]) });
  }
  return found;
}

/** `{ type A, type B }`: every name imported is a type, so the import is erased like `import type`. */
function onlyTypes(clause) {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1].split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names (`./x.ts`, `./x.js` for `x.ts`, `./x`, `./dir`), or null. */
function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
  return candidates.find((p) => existsSync(p) && statSync(p).isFile()) ?? null;
}

/**
 * The import graph of every source file under `dir` (file → [{ to, typeOnly }]), and the
 * relative imports that name no file (tsc reports those; here they could hide a cycle).
 */
export function importGraph(dir, unresolved = []) {
  const graph = new Map();
  for (const file of sourceFiles(resolve(dir))) {
    const edges = [];
    for (const { specifier, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const to = resolveSpecifier(file, specifier);
      if (to === null) unresolved.push({ file, specifier });
      else if (SOURCE.test(to)) edges.push({ to, typeOnly });
    }
    graph.set(file, edges);
  }
  // Files imported from outside `dir` are not followed, only named.
  for (const edges of [...graph.values()]) for (const { to } of edges) if (!graph.has(to)) graph.set(to, []);
  return graph;
}

/** Strongly connected groups of more than one file, or of one file that imports itself (Tarjan). */
function cyclicGroups(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  let counter = 0;
  const visit = (v) => {
    // Iterative, so deep graphs cannot overflow the call stack.
    const work = [[v, 0]];
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const edges = graph.get(node);
      if (i < edges.length) {
        frame[1]++;
        const w = edges[i].to;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(node, Math.min(low.get(node), index.get(w)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const group = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          group.push(w);
        } while (w !== node);
        const selfLoop = graph.get(node).some((e) => e.to === node);
        if (group.length > 1 || selfLoop) groups.push(group.sort());
      }
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

/** Elementary cycles inside one group, each starting at its smallest file, up to `max`. */
function cyclesIn(group, graph, max) {
  const members = new Set(group);
  const cycles = [];
  // Cycles through `start` that use only files after it in order: each cycle is found once.
  for (let s = 0; s < group.length && cycles.length < max; s++) {
    const start = group[s];
    const allowed = new Set(group.slice(s));
    const path = [start];
    const onPath = new Set([start]);
    const walk = (node) => {
      for (const { to } of graph.get(node)) {
        if (cycles.length >= max) return;
        if (!members.has(to) || !allowed.has(to)) continue;
        if (to === start) cycles.push([...path]);
        else if (!onPath.has(to)) {
          path.push(to);
          onPath.add(to);
          walk(to);
          path.pop();
          onPath.delete(to);
        }
      }
    };
    walk(start);
  }
  return cycles;
}

/** Every cycle under `dir`: groups of files that import each other, and the cycles in each. */
export function findCycles(dir, unresolved = []) {
  const graph = importGraph(dir, unresolved);
  return cyclicGroups(graph).map((files) => {
    const cycles = cyclesIn(files, graph, MAX_CYCLES_PER_GROUP).map((cycle) =>
      cycle.map((file, i) => {
        const to = cycle[(i + 1) % cycle.length];
        const edges = graph.get(file).filter((e) => e.to === to);
        return { file, typeOnly: edges.every((e) => e.typeOnly) };
      }),
    );
    return { files, cycles, truncated: cycles.length >= MAX_CYCLES_PER_GROUP };
  });
}

function main() {
  const args = process.argv.slice(2);
  if (args.length > 1 || args[0]?.startsWith('-')) {
    console.error('usage: node scripts/check-cycles.mjs [dir]');
    process.exit(2);
  }
  const dir = resolve(args[0] ?? 'src');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`check-cycles: ${dir} is not a folder`);
    process.exit(2);
  }
  const name = (file) => relative(process.cwd(), file);
  const unresolved = [];
  const groups = findCycles(dir, unresolved);
  for (const { file, specifier } of unresolved) console.error(`check-cycles: warning: ${name(file)} imports '${specifier}', which names no file`);
  if (groups.length === 0) {
    console.log(`check-cycles: no import cycles under ${name(dir) || '.'}`);
    return;
  }
  const total = groups.reduce((n, g) => n + g.cycles.length, 0);
  console.log(`check-cycles: ${total} import cycle(s) in ${groups.length} group(s) under ${name(dir) || '.'}`);
  for (const [i, group] of groups.entries()) {
    console.log(`\ngroup ${i + 1}: ${group.files.length} files import each other`);
    for (const file of group.files) console.log(`  ${name(file)}`);
    for (const cycle of group.cycles) {
      // `a → b` for a value import, `a ⇢ b` when every import on that step is `import type`.
      const steps = cycle.map((s) => `${name(s.file)} ${s.typeOnly ? '⇢' : '→'}`).join(' ');
      console.log(`  cycle: ${steps} ${name(cycle[0].file)}`);
    }
    if (group.truncated) console.log(`  (only the first ${MAX_CYCLES_PER_GROUP} cycles of this group are listed)`);
  }
  console.log('\n→ value import, ⇢ type-only import (`import type`): both count.');
  process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
