/**
 * The coverage file a suite keeps across runs (`fc41d test --coverage FILE`): each run adds its
 * counts to what the file holds. The file is replaced in one rename, so a reader (or a run that
 * is killed half-way) never sees half a report.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { mergeCoverage } from './merge.ts';
import { type CoverageReport, parseCoverage } from './report.ts';

/** What `path` holds, or null when there is no file; an Error naming the file when it is not a report. */
export function readCoverageFile(path: string): CoverageReport | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read coverage file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`coverage file ${path} is not JSON (${(error as Error).message}); delete it or point --coverage elsewhere`);
  }
  try {
    return parseCoverage(value);
  } catch (error) {
    throw new Error(`coverage file ${path} is not a version 1 coverage report: ${(error as Error).message}`);
  }
}

/** Writes `report` to `path` through a temporary file beside it and a rename. */
export function writeCoverageFile(path: string, report: CoverageReport): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Adds `report` to what `path` holds (nothing when it does not exist), writes the sum, returns it. */
export function updateCoverageFile(path: string, report: CoverageReport): CoverageReport {
  const existing = readCoverageFile(path);
  const merged = existing ? mergeCoverage(existing, report) : mergeCoverage(report, { version: 1, commands: {}, urcs: {} });
  writeCoverageFile(path, merged);
  return merged;
}
