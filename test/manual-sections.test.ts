/**
 * Every manual section the code cites exists (issue 9, "declarations that drive behaviour"):
 * each command's declared `section` is a heading of the manual that names that command (or one
 * of its aliases) when it names a command at all, and every `§2.3.4`, `// 2.3.4:` or
 * `example 4.4` in a comment under src/ is a heading too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { createModule } from '../src/index.ts';

const MANUAL = '../shared/manual/FC41D_AT_Commands_Manual_V1.0.txt';

/**
 * Commands the manual documents only inside another command's section: the module accepts them
 * (FIDELITY.md) and their declaration cites that section. Each maps to the command it goes with.
 */
const DOCUMENTED_WITH: Record<string, string> = {
  // ATE0/ATE1, the V.250 form of AT+QECHO that real modules accept (FIDELITY.md "Echo").
  E: '+QECHO',
};

interface Heading {
  title: string;
  /** The command or URC the heading names (`AT+QISEND`, `ATO`, `+++`, `+QIURC`), upper case. */
  names: string | null;
}

/**
 * The manual's numbered headings (`2.3.4. AT+QISEND Send Data …`), from the body: the table of
 * contents repeats them with a page number after a tab, and is left out.
 */
export function manualHeadings(text: string): Map<string, Heading> {
  const headings = new Map<string, Heading>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\d+(?:\.\d+)+)\.\s+(\S.*?)\s*$/.exec(line);
    if (!m || /\t\d+$/.test(line)) continue;
    const [, number, title] = m;
    assert.ok(!headings.has(number), `section ${number} appears twice in the manual's body`);
    const named = /^(AT\+?[A-Z0-9]+|\+\+\+|\+[A-Z0-9]+)(?=[\s:]|$)/i.exec(title);
    headings.set(number, { title, names: named ? named[1].toUpperCase() : null });
  }
  return headings;
}

/** A command's name as the manual writes it: `+QECHO` → `AT+QECHO`, `O` → `ATO`. */
function atName(name: string): string {
  return `AT${name}`.toUpperCase();
}

/** What is wrong with the sections that command declarations cite; empty when nothing is. */
export function sectionProblems(
  specs: readonly { name: string; section: string; aliases?: readonly string[] }[],
  headings: Map<string, Heading>,
): string[] {
  const problems: string[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const spec of specs) {
    const heading = headings.get(spec.section);
    if (!heading) {
      problems.push(`${atName(spec.name)} cites §${spec.section}, which is not a heading of the manual`);
      continue;
    }
    if (heading.names === null) continue;
    const partner = DOCUMENTED_WITH[spec.name];
    if (partner !== undefined) {
      const other = byName.get(partner);
      if (other?.section !== spec.section) problems.push(`${atName(spec.name)} should cite ${atName(partner)}'s section, §${other?.section}`);
      continue;
    }
    const names = [spec.name, ...(spec.aliases ?? [])].map(atName);
    if (!names.includes(heading.names)) {
      problems.push(`${atName(spec.name)} cites §${spec.section}, whose heading names ${heading.names}: "${heading.title}"`);
    }
  }
  return problems;
}

/**
 * Manual sections cited in a source file's comments: `§2.3.4` (and `§2.3.10–2.3.11`),
 * a comment that starts with a section (`// 2.3.4:`, `// 2.1.2 (format …`), `example 4.3.2`.
 */
export function citedSections(source: string): { section: string; line: number }[] {
  const found: { section: string; line: number }[] = [];
  const number = String.raw`\d+(?:\.\d+){1,3}`;
  // A comment that starts with a number cites a section only in the manual's chapters (1–6).
  const opening = String.raw`[1-6](?:\.\d+){1,3}`;
  const patterns = [
    new RegExp(String.raw`§\s?(${number})(?:\s?[–-]\s?(${number}))?`, 'g'),
    new RegExp(String.raw`(?:^|\s)(?://|/?\*+)\s*(${opening})(?=[:,( ])`, 'g'),
    new RegExp(String.raw`\b[Ee]xamples? (${number})\b`, 'g'),
  ];
  source.split('\n').forEach((text, i) => {
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        for (const section of m.slice(1)) if (section) found.push({ section: section.replace(/\.$/, ''), line: i + 1 });
      }
    }
  });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/** What is wrong with the sections cited in the comments of the files under `dir`. */
function citationProblems(dir: string, headings: Map<string, Heading>): { problems: string[]; count: number } {
  const problems: string[] = [];
  let count = 0;
  for (const file of sourceFiles(dir)) {
    for (const { section, line } of citedSections(readFileSync(file, 'utf8'))) {
      count++;
      if (!headings.has(section)) problems.push(`${relative('.', file)}:${line} cites §${section}, which is not a heading of the manual`);
    }
  }
  return { problems, count };
}

const headings = manualHeadings(readFileSync(MANUAL, 'utf8'));

/** The declarations, through the public API. */
function commandSpecs() {
  const m = createModule({ bootMs: 1, echo: false });
  try {
    return m.module.registry.all().map((s) => ({ name: s.name, section: s.section, aliases: s.aliases }));
  } finally {
    m.close();
  }
}

test('the manual is read: its headings, not its table of contents', () => {
  assert.ok(headings.size >= 140, `only ${headings.size} headings`);
  assert.deepEqual(headings.get('2.3.4'), { title: 'AT+QISEND Send Data Through TCP/UDP Socket Service', names: 'AT+QISEND' });
  assert.deepEqual(headings.get('2.3.10')?.names, 'ATO');
  assert.deepEqual(headings.get('2.3.11')?.names, '+++');
  assert.deepEqual(headings.get('2.3'), { title: 'Description of TCP/UDP Related AT commands', names: null });
  assert.equal(headings.get('4.1')?.title, 'Wi-Fi Function');
});

test("every command's declared section is a heading of the manual that names it", () => {
  const specs = commandSpecs();
  assert.ok(specs.length >= 40, `only ${specs.length} commands declared`);
  assert.deepEqual(sectionProblems(specs, headings), []);
});

test('every section cited in a comment under src/ is a heading of the manual', () => {
  const { problems, count } = citationProblems('src', headings);
  assert.ok(count >= 100, `only ${count} citations found: the patterns no longer match the code's comments`);
  assert.deepEqual(problems, []);
});

test('a bogus section, a heading naming another command, and a bogus citation are all caught', () => {
  const specs = [
    { name: '+QISEND', section: '2.3.4' },
    { name: '+QSTASTATIC', section: '2.1.16', aliases: ['+QSTASTSTATIC'] },
    { name: '+QNOSUCH', section: '2.3.99' },
    { name: '+QIRD', section: '2.3.4' },
    { name: '+QECHO', section: '2.1.3' },
    { name: 'E', section: '2.1.4' },
  ];
  assert.deepEqual(sectionProblems(specs, headings), [
    'AT+QNOSUCH cites §2.3.99, which is not a heading of the manual',
    'AT+QIRD cites §2.3.4, whose heading names AT+QISEND: "AT+QISEND Send Data Through TCP/UDP Socket Service"',
    "ATE should cite AT+QECHO's section, §2.1.3",
  ]);

  const source = [
    '/** Sockets (§2.3.2, §2.3.10–2.3.11). */',
    '// 2.3.4: inline data',
    '    // 2.9.1: nothing there',
    ' * as in example 4.3.2 and §7.1 and §2.3.77',
    "const ip = '192.168.1.1'; // V.250 6.2.4, TLS 1.2",
  ].join('\n');
  assert.deepEqual(citedSections(source), [
    { section: '2.3.2', line: 1 },
    { section: '2.3.10', line: 1 },
    { section: '2.3.11', line: 1 },
    { section: '2.3.4', line: 2 },
    { section: '2.9.1', line: 3 },
    { section: '7.1', line: 4 },
    { section: '2.3.77', line: 4 },
    { section: '4.3.2', line: 4 },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'fc41d-sections-'));
  try {
    writeFileSync(join(dir, 'x.ts'), source);
    assert.deepEqual(
      citationProblems(dir, headings).problems.map((p) => p.replace(/^.*x\.ts/, 'x.ts')),
      [
        'x.ts:3 cites §2.9.1, which is not a heading of the manual',
        'x.ts:4 cites §7.1, which is not a heading of the manual',
        'x.ts:4 cites §2.3.77, which is not a heading of the manual',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
