/** The counts a recorder keeps while modules run; `report()` turns them into a CoverageReport. */
import { type CommandCoverage, type CoverageReport, type FormName, sortCoverage } from './report.ts';

export class CoverageTally {
  private readonly commands = new Map<string, CommandCoverage>();
  private readonly urcs = new Map<string, number>();

  private entry(command: string, unknown = false): CommandCoverage {
    let entry = this.commands.get(command);
    if (!entry) this.commands.set(command, (entry = { forms: {}, outcomes: {} }));
    if (unknown) entry.unknown = true;
    return entry;
  }

  form(command: string, form: FormName, unknown: boolean): void {
    const entry = this.entry(command, unknown);
    entry.forms[form] = (entry.forms[form] ?? 0) + 1;
  }

  outcome(command: string, outcome: string, unknown = false): void {
    const entry = this.entry(command, unknown);
    entry.outcomes[outcome] = (entry.outcomes[outcome] ?? 0) + 1;
  }

  urc(key: string): void {
    this.urcs.set(key, (this.urcs.get(key) ?? 0) + 1);
  }

  /** A copy: sortCoverage builds every entry anew. */
  report(): CoverageReport {
    return sortCoverage({ version: 1, commands: Object.fromEntries(this.commands), urcs: Object.fromEntries(this.urcs) });
  }
}
