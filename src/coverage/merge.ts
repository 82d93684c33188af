/** Adding coverage reports up: runs of a suite (or its shards) merge into one file. */
import { type CoverageReport, emptyCoverage, FORMS, sortCoverage } from './report.ts';

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/** Every count of `a` plus the same count of `b`; neither is changed. */
export function mergeCoverage(a: CoverageReport, b: CoverageReport): CoverageReport {
  const out = emptyCoverage();
  for (const report of [a, b]) {
    for (const [name, entry] of Object.entries(report.commands)) {
      const into = (out.commands[name] ??= { forms: {}, outcomes: {} });
      for (const form of FORMS) {
        const n = entry.forms[form];
        if (n !== undefined) into.forms[form] = (into.forms[form] ?? 0) + n;
      }
      addCounts(into.outcomes, entry.outcomes);
      if (entry.unknown) into.unknown = true;
    }
    addCounts(out.urcs, report.urcs);
  }
  return sortCoverage(out);
}
