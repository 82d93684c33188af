/**
 * A checker per module for a long-running program (`fc41d serve --check`): each violation is
 * handed on as it happens; `finish()` runs the end-of-run rules on every module and says how many
 * violations there were in all.
 */
import type { Fc41dModule } from '../device/module.ts';
import { DriverChecker } from './checker.ts';
import type { Violation } from './types.ts';

export interface CheckerSet {
  readonly checkers: readonly DriverChecker[];
  /** The end-of-run rules (their violations are handed on too), then detach. Returns the total count. */
  finish(): number;
}

export function watchModules(modules: readonly Fc41dModule[], onViolation: (v: Violation) => void): CheckerSet {
  const checkers = modules.map((module) => {
    const checker = new DriverChecker(module);
    checker.on('violation', onViolation);
    return checker;
  });
  return {
    checkers,
    finish: () => checkers.reduce((n, checker) => n + checker.finish().length, 0),
  };
}
