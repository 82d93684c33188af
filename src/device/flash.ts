/**
 * The module's flash: settings the manual marks "saved automatically". Kept in a JSON
 * file (or in memory when no path is given). Every write goes to a temporary file that
 * is fsynced and then renamed over the old one, so a crash mid-write leaves either the
 * old or the new content, never a torn file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { FlashSection } from '../feature/saved.ts';

/** As AT+QVERSION prints it on real modules: the version with its build suffix (FIDELITY.md). */
export const DEFAULT_FIRMWARE = 'FC41DAAR03A09M02.bin_202406260343';
export const DEFAULT_BAUD = 115200;

/** Saved system settings (§2.1.3, §2.1.4, §2.1.7) and the installed firmware version. */
export const SystemFlash = z.object({
  echo: z.boolean().default(true),
  urc: z.boolean().default(true),
  baud: z.number().int().positive().default(DEFAULT_BAUD),
  firmware: z.string().default(DEFAULT_FIRMWARE),
});

/** Other chapters add their own sections; unknown sections are kept as they are. */
const FlashSchema = z.looseObject({
  format: z.literal(1).default(1),
  system: SystemFlash.default(SystemFlash.parse({})),
});

export type FlashData = z.infer<typeof FlashSchema>;
export type SystemSettings = z.infer<typeof SystemFlash>;

export class Flash {
  private data: FlashData;

  private constructor(readonly path: string | undefined, data: FlashData) {
    this.data = data;
  }

  /**
   * Opens the flash file, or starts empty (factory defaults) when it does not exist.
   * `factory` overrides the factory system settings a fresh flash starts with (e.g. echo off,
   * as on a module that was once told AT+QECHO=0); a file that exists keeps its own.
   */
  static open(path?: string, factory: Partial<SystemSettings> = {}): Flash {
    if (path !== undefined) {
      removeStaleTemps(path);
      checkWritable(path);
    }
    if (path === undefined || !existsSync(path)) return new Flash(path, FlashSchema.parse({ system: SystemFlash.parse(factory) }));
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`flash file ${path} is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = FlashSchema.safeParse(json);
    if (!parsed.success) throw new Error(`flash file ${path} is not a flash image: ${z.prettifyError(parsed.error)}`);
    return new Flash(path, parsed.data);
  }

  /** A deep copy of what is stored. */
  read(): FlashData {
    return structuredClone(this.data);
  }

  /**
   * A named section (a feature's saved settings), parsed by its schema on every read so a fresh
   * flash gets the schema's defaults; a write replaces the section and goes through at once.
   */
  section<T>(name: string, schema: z.ZodType<T>): FlashSection<T> {
    return {
      read: () => schema.parse(structuredClone(this.data[name] ?? {})),
      write: (value) => this.update((data) => void (data[name] = value)),
    };
  }

  /** Changes the stored content and writes it through. */
  update(change: (data: FlashData) => void): void {
    const next = structuredClone(this.data);
    change(next);
    const parsed = FlashSchema.parse(next);
    if (this.path !== undefined) writeAtomically(this.path, JSON.stringify(parsed, null, 2) + '\n');
    this.data = parsed;
  }
}

/** The temp file a write of this process goes through (renamed over the flash file). */
function tempPath(path: string, pid = process.pid): string {
  return `${path}.tmp-${pid}`;
}

/**
 * Fails now, naming the path, when saves could not work: the folder must take a new file (the
 * temp file) and an existing flash file must open for writing. Otherwise every save would fail
 * later, one command at a time.
 */
function checkWritable(path: string): void {
  const probe = tempPath(path);
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
    if (existsSync(path)) closeSync(openSync(path, 'r+'));
  } catch (e) {
    throw new Error(`flash file ${path}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * A writer killed mid-write (kill -9, power cut) leaves `<path>.tmp-<pid>`; the flash file
 * itself is whole (the rename never happened). Remove those of processes that are gone (and
 * our own); a live process's temp file may be a write in progress.
 */
function removeStaleTemps(path: string): void {
  const folder = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // checkWritable reports an unusable folder
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (pid !== process.pid && isAlive(pid)) continue;
    try {
      unlinkSync(join(folder, name));
    } catch {
      // gone already, or not ours to remove: harmless
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

/** Writes `text` to `path` through an fsynced temporary file beside it and a rename: a reader never sees half of it. */
export function writeAtomically(path: string, text: string): void {
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  // Make the rename itself durable.
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
