/** The host-driver checker (docs/checker.md): `new DriverChecker(module)`, then `finish()`. */
export { DriverChecker, type CheckerOptions } from './checker.ts';
export { CHECK_RULES } from './rules.ts';
export { escapeText, formatViolation } from './format.ts';
export type { RuleId, Violation } from './types.ts';
export { type CheckerSet, watchModules } from './watch.ts';
