/**
 * Loading scenario files: paths (files, or folders searched recursively for *.yaml / *.yml in
 * sorted order), each file one or more YAML documents, each document one scenario checked against
 * ScenarioSchema, with its world (a file relative to the scenario, or inline) loaded and checked
 * too. Any problem is a ScenarioError naming the file, the field and, where known, the line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { loadWorldConfig } from '../cli/options.ts';
import { DEFAULT_WORLD } from '../world/default-world.ts';
import { parseWorld, type WorldConfig, WorldSchema } from '../world/schema.ts';
import { fieldPath, type Scenario, ScenarioSchema } from './schema.ts';

/** An invalid scenario (the CLI's exit 2): which file, which field, and where in the file. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    /** The field path, e.g. `steps[2].expect-outptu`; empty for the file as a whole. */
    readonly field: string,
    readonly detail: string,
    /** 1-based line in the file, when known. */
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${field === '' ? '' : `${field}: `}${detail}`);
    this.name = 'ScenarioError';
  }
}

export interface LoadedScenario {
  file: string;
  /** Which document of the file (0 for the first). */
  index: number;
  scenario: Scenario;
  /** The scenario's world, loaded and checked (the embedded default world when it names none). */
  world?: WorldConfig;
}

const SCENARIO_FILE = /\.ya?ml$/i;

/** Every scenario of `paths`, in order: files as given, folders' files sorted. */
export function loadScenarios(paths: string[]): LoadedScenario[] {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    for (const file of expand(path)) {
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      files.push(file);
    }
  }
  return files.flatMap(loadScenarioFile);
}

/** A file is itself; a folder is its *.yaml / *.yml files, recursively, sorted. */
function expand(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new ScenarioError(path, '', `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!isDir) return [path];
  const found = (readdirSync(path, { recursive: true }) as string[])
    .filter((name) => SCENARIO_FILE.test(name))
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile())
    .sort();
  return found;
}

/** The scenarios of one file (one per non-empty YAML document). */
export function loadScenarioFile(file: string): LoadedScenario[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, '', `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseScenarios(text, file);
}

/** Parses scenario YAML text as if read from `file` (relative world paths start at its folder). */
export function parseScenarios(text: string, file: string): LoadedScenario[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: LoadedScenario[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line;
      throw new ScenarioError(file, '', `not valid YAML: ${error.message.split('\n')[0]}`, line);
    }
    const json: unknown = doc.toJS({ maxAliasCount: 100 });
    if (json === null || json === undefined) continue; // `---` with nothing after it
    const index = out.length;
    const parsed = ScenarioSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issuePath(issue);
      throw new ScenarioError(file, fieldPath(path), issue.message, lineOf(doc, lineCounter, path));
    }
    const world = loadWorld(parsed.data, file, doc, lineCounter);
    out.push({ file, index, scenario: parsed.data, world });
  }
  return out;
}

function loadWorld(scenario: Scenario, file: string, doc: Document, lines: LineCounter): WorldConfig {
  const world = scenario.world;
  if (world === undefined) return parseWorld(DEFAULT_WORLD, 'default world');
  if (typeof world === 'string') {
    try {
      return loadWorldConfig(resolve(dirname(file), world));
    } catch (e) {
      throw new ScenarioError(file, 'world', (e as Error).message, lineOf(doc, lines, ['world']));
    }
  }
  const parsed = WorldSchema.safeParse(world);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = ['world', ...issuePath(issue)];
  throw new ScenarioError(file, fieldPath(path), issue.message, lineOf(doc, lines, path));
}

/** Where an issue is; an unknown key is named in it, as `steps[2].expect-outptu`. */
function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
}

/** The line of the deepest node along `path` that the document has. */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const keys = path.slice(0, n).filter((k): k is string | number => typeof k !== 'symbol');
    const node = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}
