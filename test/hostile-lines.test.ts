/**
 * A scaled-down run of scripts/hostile-lines.ts (which runs a million lines): bursts of 2 MiB of
 * hostile lines, each queued behind a one-second scan, over a real TCP wire and the PTY. Every marker
 * command is answered once, `AT` gets exactly OK after each burst, and nothing faults.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runHostileLines } from '../scripts/hostile-lines.ts';

for (const wire of ['tcp', 'pty'] as const) {
  test(`100,000 hostile lines in 2 MiB bursts behind a busy command over ${wire}: nothing lost, nothing glued`, async () => {
    const seed = Number(process.env.HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 32));
    const burstBytes = 2 * 2 ** 20;
    const figures = await runHostileLines({ lines: 100_000, seed, burstBytes, wire });
    assert.equal(figures.lines, 100_000, `seed ${seed}`);
    // At least one full burst (twice what a UART buffer holds) and a second one after it.
    assert.ok(figures.bursts >= 2, `seed ${seed}: ${figures.bursts} bursts`);
    assert.ok(figures.bytesSent > burstBytes, `seed ${seed}: ${figures.bytesSent} bytes`);
    assert.equal(figures.faults, 0, `seed ${seed}`);
  });
}
