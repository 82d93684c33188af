/**
 * One command line as the recorder follows it through the module's events: the commands it
 * holds (V.250 chaining, `AT+A;+B`), which of them ran, and which one the final result belongs to.
 *
 * The engine runs a line's commands in order and stops at the first that does not answer OK; the
 * line gets one final result. So an OK final is every command's OK, and any other final belongs
 * to the command that stopped the line: known exactly when the registry rejected it (the
 * module's `reject` event names the command), otherwise inferred from the response lines seen
 * (`+QVERSION: …` shows AT+QVERSION ran). See docs/coverage.md, "Chained lines".
 */
import type { CommandForm } from '../at/parse.ts';
import { FINAL_OK } from '../at/framing.ts';

export interface LineCommand {
  /** The canonical name, `AT+QIOPEN` (the text name for an unknown command). */
  key: string;
  unknown: boolean;
  form: CommandForm;
  /** The command as typed, to match a rejection to it. */
  source: string;
}

/** A command that ran, and the outcome it had (none when the line was cut short by a reset). */
export interface Ran {
  command: LineCommand;
  outcome?: string;
}

const RESPONSE_PREFIX = /^(\+[A-Z0-9_]+)\s*:/i;

export class LineRun {
  /** The last command known to have started. */
  private started = 0;
  /** Whether a response line showed `started` itself ran (not only that it was next). */
  private seen = false;
  /** The command the registry rejected: it ended the line. */
  private rejected: number | null = null;

  constructor(readonly commands: readonly LineCommand[]) {}

  /** The registry rejected a command (it answers ERROR and ends the line). */
  reject(source: string, form: CommandForm): void {
    if (this.rejected !== null) return;
    const at = this.commands.findIndex((c, i) => i >= this.started && c.source === source && c.form === form);
    if (at < 0) return; // not this line's (Wi-Fi configuration over BLE runs lines away from the UART)
    this.rejected = at;
    this.started = at;
    this.seen = true;
  }

  /** An information response: a `+NAME:` line shows which command is running. */
  response(line: string): void {
    const m = RESPONSE_PREFIX.exec(line);
    if (!m || this.rejected !== null) return;
    const key = `AT${m[1].toUpperCase()}`;
    const at = this.commands.findIndex((c, i) => i >= this.started && c.key === key);
    if (at < 0) return;
    this.started = at;
    this.seen = true;
  }

  /** The final result came: each command that ran, with its outcome. */
  finish(final: string): Ran[] {
    if (final === FINAL_OK) return this.commands.map((command) => ({ command, outcome: final }));
    const last = this.rejected ?? this.stopper();
    return this.commands.slice(0, last + 1).map((command, i) => ({ command, outcome: i === last ? final : FINAL_OK }));
  }

  /** The line ended with no final result (reset, power cut): the commands that had started, no outcome. */
  abort(): Ran[] {
    return this.commands.slice(0, this.started + 1).map((command) => ({ command }));
  }

  /**
   * No rejection named the command that stopped the line. A command seen printing its response
   * most likely succeeded and the next one failed; one with no response seen may itself have failed.
   */
  private stopper(): number {
    if (this.seen && this.started < this.commands.length - 1) return this.started + 1;
    return this.started;
  }
}
