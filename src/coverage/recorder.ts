/**
 * Records AT coverage of the modules it is attached to: `fc41d test --coverage` attaches one
 * recorder to every module of every scenario and writes `report()` at the end.
 */
import type { Fc41dModule } from '../device/module.ts';
import type { CoverageReport } from './report.ts';
import { CoverageTally } from './tally.ts';
import { watchModule } from './watch.ts';

export class CoverageRecorder {
  private readonly tally = new CoverageTally();

  /** Counts what this module is sent and says from now on; returns a function that stops. */
  attach(module: Fc41dModule): () => void {
    return watchModule(module, this.tally);
  }

  /** What was counted so far, over every module attached (a copy, keys in stable order). */
  report(): CoverageReport {
    return this.tally.report();
  }
}
