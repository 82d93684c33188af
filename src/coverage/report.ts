/**
 * The AT coverage report (docs/coverage.md): how often each command was sent in each form, what
 * it was answered, and how often each URC went out. Plain JSON, keys in a stable order, so two
 * runs that did the same thing write the same file and a diff shows only what changed.
 */
import { z } from 'zod';
import type { CommandForm } from '../at/parse.ts';

export type FormName = CommandForm;

/** The forms in the order reports and summaries list them: `=?`, `?`, `=`, exec. */
export const FORMS: readonly FormName[] = ['test', 'read', 'write', 'exec'];

export interface CommandCoverage {
  /** Times each form ran (only forms that ran at least once appear). */
  forms: Partial<Record<FormName, number>>;
  /** Final results (OK, ERROR, SEND OK, …) and result codes from the command's own URC (+QIOPEN: 0,551 → 551). */
  outcomes: Record<string, number>;
  /** The module declares no such command: the host sent it anyway (it was answered ERROR). */
  unknown?: true;
}

export interface CoverageReport {
  version: 1;
  /** By the command's canonical name as declared (`AT+QIOPEN`, `ATE`); an alias counts under its declaration. */
  commands: Record<string, CommandCoverage>;
  /** By prefix, and by keyword where the URC has one (`+QIURC: "recv"`, `+QSTASTAT:GOT_IP`). */
  urcs: Record<string, number>;
}

export function emptyCoverage(): CoverageReport {
  return { version: 1, commands: {}, urcs: {} };
}

const count = z.number().int().nonnegative();
const counts = z.record(z.string(), count);

const CommandCoverageSchema = z.strictObject({
  forms: z.strictObject({ test: count.optional(), read: count.optional(), write: count.optional(), exec: count.optional() }),
  outcomes: counts,
  unknown: z.literal(true).optional(),
});

export const CoverageReportSchema = z.strictObject({
  version: z.literal(1),
  commands: z.record(z.string(), CommandCoverageSchema),
  urcs: counts,
});

/** Checks a parsed JSON value; the error names the first bad field (`commands.AT+QIOPEN.forms.write`). */
export function parseCoverage(value: unknown): CoverageReport {
  const result = CoverageReportSchema.safeParse(value);
  if (result.success) return sortCoverage(result.data as CoverageReport);
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  throw new Error(`${where}: ${issue.message}`);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedRecord<T>(record: Record<string, T>, map: (value: T) => T = (v) => v): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort(byText)) out[key] = map(record[key]);
  return out;
}

/** A copy with every key in its stable place: commands, outcomes and URCs sorted, forms in FORMS order. */
export function sortCoverage(report: CoverageReport): CoverageReport {
  return {
    version: 1,
    commands: sortedRecord(report.commands, (entry) => {
      const forms: Partial<Record<FormName, number>> = {};
      for (const form of FORMS) if (entry.forms[form] !== undefined) forms[form] = entry.forms[form];
      return { forms, outcomes: sortedRecord(entry.outcomes), ...(entry.unknown ? { unknown: true as const } : {}) };
    }),
    urcs: sortedRecord(report.urcs),
  };
}
