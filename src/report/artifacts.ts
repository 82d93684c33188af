/**
 * The full transcript and trace of each scenario, written beside the JUnit file:
 * `<junit-dir>/<file-stem>[.<index>].transcript.txt` and `.trace.jsonl` (index 0 has no
 * suffix, like cassettes). Two scenario files with the same stem in different folders get
 * `-2`, `-3`… so neither overwrites the other.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';

export interface ScenarioArtifacts {
  /** Absolute paths. */
  transcript: string;
  trace: string;
}

export class ArtifactNamer {
  private readonly stems = new Set<string>(); // the stems taken
  private readonly byFile = new Map<string, string>(); // scenario file → its stem

  constructor(readonly dir: string) {}

  pathsFor(file: string, index: number): ScenarioArtifacts {
    const base = resolve(this.dir, `${this.stemOf(resolve(file))}${index > 0 ? `.${index}` : ''}`);
    return { transcript: `${base}.transcript.txt`, trace: `${base}.trace.jsonl` };
  }

  private stemOf(file: string): string {
    const known = this.byFile.get(file);
    if (known) return known;
    const plain = basename(file, extname(file)) || 'scenario';
    let stem = plain;
    for (let n = 2; this.stems.has(stem); n++) stem = `${plain}-${n}`;
    this.stems.add(stem);
    this.byFile.set(file, stem);
    return stem;
  }
}

/** Writes one scenario's transcript and trace (creating the folder). */
export function writeArtifacts(paths: ScenarioArtifacts, content: { transcript: string; trace: string }): void {
  mkdirSync(resolve(paths.transcript, '..'), { recursive: true });
  writeFileSync(paths.transcript, content.transcript);
  writeFileSync(paths.trace, content.trace);
}
