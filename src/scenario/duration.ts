/** Durations in scenario files: `"10s"`, `"500ms"`, `"1m"`, `"1.5s"` or a number of milliseconds. */

/** The longest duration a scenario may name (a day): beyond it a typo is likelier than intent. */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** Milliseconds, or an explanation of why `value` is not a duration. */
export function parseDuration(value: unknown): { ms: number } | { error: string } {
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(value) : null;
  const ms = typeof value === 'number' ? value : m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
  if (ms === null) return { error: `expected a duration like "500ms", "10s", "1m" or a number of ms, got ${JSON.stringify(value)}` };
  if (!Number.isFinite(ms) || ms < 0) return { error: `a duration must be 0 or more, got ${JSON.stringify(value)}` };
  if (ms > MAX_DURATION_MS) return { error: `a duration must be at most 24h, got ${JSON.stringify(value)}` };
  return { ms: Math.round(ms) };
}
