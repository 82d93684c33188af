/** AT coverage (docs/coverage.md): record it from modules, merge it across runs, summarise what was never touched. */
export { CoverageRecorder } from './recorder.ts';
export { type CommandCoverage, type CoverageReport, CoverageReportSchema, emptyCoverage, type FormName, FORMS, parseCoverage } from './report.ts';
export { mergeCoverage } from './merge.ts';
export { readCoverageFile, updateCoverageFile, writeCoverageFile } from './file.ts';
export { coverageSummary } from './summary.ts';
export { type DeclaredCommand, declaredCommands } from './declared.ts';
export { catalogueKey, URC_CATALOGUE, type UrcEntry, urcKey } from './urc-catalogue.ts';
