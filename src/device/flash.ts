/**
 * The module's flash: settings the manual marks "saved automatically". Kept in a JSON
 * file (or in memory when no path is given). Every write goes to a temporary file that
 * is fsynced and then renamed over the old one, so a crash mid-write leaves either the
 * old or the new content, never a torn file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export const DEFAULT_FIRMWARE = 'FC41DAAR03A09';
export const DEFAULT_BAUD = 115200;

/** Saved system settings (§2.1.3, §2.1.4, §2.1.7) and the installed firmware version. */
const SystemFlash = z.object({
  echo: z.boolean().default(false),
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

  /** Opens the flash file, or starts empty (factory defaults) when it does not exist. */
  static open(path?: string): Flash {
    if (path === undefined || !existsSync(path)) return new Flash(path, FlashSchema.parse({}));
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

  /** Changes the stored content and writes it through. */
  update(change: (data: FlashData) => void): void {
    const next = structuredClone(this.data);
    change(next);
    const parsed = FlashSchema.parse(next);
    if (this.path !== undefined) writeAtomically(this.path, JSON.stringify(parsed, null, 2) + '\n');
    this.data = parsed;
  }
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // Make the rename itself durable.
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
