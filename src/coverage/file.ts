/**
 * The coverage file a suite keeps across runs (`fc41d test --coverage FILE`): each run adds its
 * counts to what the file holds. The file is replaced in one rename, so a reader (or a run that
 * is killed half-way) never sees half a report.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeAtomically } from '../device/flash.ts';
import { mergeCoverage } from './merge.ts';
import { type CoverageReport, emptyCoverage, parseCoverage } from './report.ts';

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

/** Writes `report` to `path` (its folder made if needed) through a temporary file beside it and a rename. */
export function writeCoverageFile(path: string, report: CoverageReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomically(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Adds `report` to what `path` holds (nothing when it does not exist), writes the sum, returns it. */
export function updateCoverageFile(path: string, report: CoverageReport): CoverageReport {
  const existing = readCoverageFile(path);
  const merged = mergeCoverage(existing ?? emptyCoverage(), report);
  writeCoverageFile(path, merged);
  return merged;
}
