/** What the host-driver checker reports (docs/checker.md). */

export type RuleId =
  | 'command-before-final'
  | 'data-before-prompt'
  | 'mixed-terminators'
  | 'missing-terminator'
  | 'line-too-long'
  | 'counted-length'
  | 'command-before-ready'
  | 'rapid-retry'
  | 'unread-data'
  | 'escape-guard';

/** One misuse of the AT protocol by the host. */
export interface Violation {
  rule: RuleId;
  /** The module's label, e.g. `module 0`. */
  module: string;
  /** When the host did it, in ms since the checker attached (on the module's clock). */
  atMs: number;
  /** The same instant as an ISO time (wall clock at attach + atMs). */
  time: string;
  /** The offending text as the host sent it, non-printables escaped. */
  line: string;
  /** What was wrong, in a sentence. */
  message: string;
}

/** How the rule families report: the rule, when (module clock), the offending bytes or text, why. */
export type Report = (rule: RuleId, at: number, line: string | Buffer, message: string) => void;
