/**
 * One progress line per scenario on stderr. On a terminal: an in-place line while the scenario
 * runs (its elapsed time ticking), replaced by a final `✓`/`✗` line. Otherwise (CI logs, pipes):
 * a plain `PASS`/`FAIL`/`ERROR` line when each scenario ends. Diagnostic lines logged while a
 * scenario runs go above the in-place line.
 */
import type { ScenarioResult } from '../scenario/run.ts';
import { failureMessage } from './junit.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const TICK_MS = 250;
const CLEAR = '\r\x1b[2K';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Whether a scenario counts as failed by the checker: its steps passed, --check strict found violations. */
export const failedByChecker = (result: ScenarioResult, strict: boolean) => strict && result.outcome === 'passed' && result.violations.length > 0;

/** The text after the mark: "<label> (1.2 s)" or "<label>: <why> (1.2 s)". */
export function outcomeLine(label: string, result: ScenarioResult, strict = false): string {
  const time = `(${secs(result.elapsedMs)})`;
  if (failedByChecker(result, strict)) {
    const n = result.violations.length;
    return `${label}: ${n} host-driver checker violation${n === 1 ? '' : 's'} ${time}`;
  }
  return result.outcome === 'passed' ? `${label} ${time}` : `${label}: ${failureMessage(result)} ${time}`;
}

export class Progress {
  private readonly tty: boolean;
  private readonly color: boolean;
  private running?: { label: string; started: number; timer: NodeJS.Timeout };

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    opts: { tty?: boolean; color?: boolean } = {},
  ) {
    this.tty = opts.tty ?? stream.isTTY === true;
    this.color = opts.color ?? (this.tty && !process.env.NO_COLOR);
  }

  /** A scenario starts (label: "file › name"). */
  start(label: string): void {
    this.stopTicking();
    if (!this.tty) return;
    const started = Date.now();
    const timer = setInterval(() => this.draw(), TICK_MS);
    timer.unref();
    this.running = { label, started, timer };
    this.draw();
  }

  /** A diagnostic line, printed above the in-place line. */
  log(line: string): void {
    if (this.running) this.stream.write(CLEAR);
    this.stream.write(`${line}\n`);
    if (this.running) this.draw();
  }

  /**
   * The scenario ended: its final line, and extra lines below it (its violations). `strict`:
   * violations fail a scenario whose steps passed (--check strict).
   */
  finish(label: string, result: ScenarioResult, extra: string[] = [], strict = false): void {
    this.stopTicking();
    const text = outcomeLine(label, result, strict);
    const passed = result.outcome === 'passed' && !failedByChecker(result, strict);
    let line: string;
    if (this.tty) {
      const [mark, colour] = passed ? ['✓', 32] : ['✗', 31];
      line = `${CLEAR}${this.color ? `\x1b[${colour}m${mark}\x1b[0m` : mark} ${text}`;
    } else {
      // An infrastructure error is labelled by its outcome's name; any other miss is a FAIL.
      line = `${passed ? 'PASS' : result.outcome === 'error' ? result.outcome.toUpperCase() : 'FAIL'} ${text}`;
    }
    this.stream.write(`${[line, ...extra.map((e) => `    ${e}`)].join('\n')}\n`);
  }

  /** Stops the ticking line (e.g. when the run is interrupted). */
  close(): void {
    if (this.running && this.tty) this.stream.write(CLEAR);
    this.stopTicking();
  }

  private draw(): void {
    if (!this.running) return;
    const text = `… ${this.running.label} (${secs(Date.now() - this.running.started)})`;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    // A line wider than the terminal wraps, and `\r` would then redraw only its last row.
    this.stream.write(`${CLEAR}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  }

  private stopTicking(): void {
    if (this.running) clearInterval(this.running.timer);
    this.running = undefined;
  }
}
