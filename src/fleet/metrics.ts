/**
 * The fleet's figures: what device programs count (`inc`) and time (`observe`), summed over the
 * process's devices. `joined` and `mqtt_connected` are gauges (inc ±1), the rest counters; every
 * `observe` is kept (a few per device) for percentiles. Rates are over the last RATE_WINDOW_S s
 * of one-second samples (`tick`).
 */
export interface DeviceMetrics {
  inc(name: string, n?: number): void;
  observe(name: string, ms: number): void;
}

export const RATE_WINDOW_S = 10;

/** Percentile p (0–100) of sorted values, nearest rank; undefined for none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Quantiles {
  count: number;
  p50?: number;
  p90?: number;
  p99?: number;
}

/** Count and p50/p90/p99 of values sorted ascending. */
function quantilesOfSorted(s: readonly number[]): Quantiles {
  return { count: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99) };
}

/** Count and p50/p90/p99 of values in any order. */
export function quantilesOf(values: readonly number[]): Quantiles {
  return quantilesOfSorted([...values].sort((a, b) => a - b));
}

export class FleetMetrics implements DeviceMetrics {
  private readonly values = new Map<string, number>();
  private readonly observations = new Map<string, number[]>();
  /** Max of each value seen (a gauge's peak: all connected at once?). */
  private readonly peaks = new Map<string, number>();
  private samples: { at: number; values: Map<string, number> }[] = [];
  private peakRss = 0;

  inc(name: string, n = 1): void {
    if (!Number.isFinite(n)) return; // a program's bad number must not poison the sums
    const v = (this.values.get(name) ?? 0) + n;
    this.values.set(name, v);
    if (v > (this.peaks.get(name) ?? -Infinity)) this.peaks.set(name, v);
  }

  observe(name: string, ms: number): void {
    if (!Number.isFinite(ms)) return;
    let list = this.observations.get(name);
    if (!list) this.observations.set(name, (list = []));
    list.push(ms);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  peak(name: string): number {
    return this.peaks.get(name) ?? 0;
  }

  /** Every value by name, as it is now. */
  counters(): Record<string, number> {
    return Object.fromEntries(this.values);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  observed(name: string): number[] {
    return [...(this.observations.get(name) ?? [])].sort((a, b) => a - b);
  }

  observedNames(): string[] {
    return [...this.observations.keys()];
  }

  /** p50/p90/p99 and count of one observed name (ms). */
  quantiles(name: string): Quantiles & { max?: number } {
    const s = this.observed(name);
    return { ...quantilesOfSorted(s), max: s.at(-1) };
  }

  /** Once a second: a sample for the rates, and the RSS for its peak. */
  tick(now = Date.now()): void {
    this.samples.push({ at: now, values: new Map(this.values) });
    const cutoff = now - RATE_WINDOW_S * 1000 - 500;
    while (this.samples.length > 2 && this.samples[0]!.at < cutoff) this.samples.shift();
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
  }

  /** Per second over the window (0 before two samples). */
  rate(name: string): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.values.get(name) ?? 0) - (first.values.get(name) ?? 0)) / ((last.at - first.at) / 1000);
  }

  /** The process's peak resident set, bytes (the kernel's figure when it has one). */
  peakRssBytes(): number {
    const kernel = process.resourceUsage().maxRSS * 1024;
    return Math.max(this.peakRss, kernel, process.memoryUsage.rss());
  }
}
