/**
 * Start-up: time from spawn to "listening on tcp" for `node bin/fc41d.js serve --tcp
 * 127.0.0.1:0` (the bundle scripts/build.mjs makes) against a bare Node script that opens a
 * TCP server and says so (bench/startup-bare.mjs), in alternating rounds of the same run;
 * medians and their ratio (target: at most 2). For reference, the same command running src/
 * through tsx (FC41D_FROM_SRC=1, what an edited, unbuilt tree gets), and the cost of the
 * staleness check bin/fc41d.js makes before it picks the bundle (bin/stale.js).
 * Builds first when the bundle is stale, so the figure is the bundle's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { staleReason } from '../bin/stale.js';
import { median } from './setup.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const TARGET = 2;
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/fc41d.js', import.meta.url));
const BARE = fileURLToPath(new URL('./startup-bare.mjs', import.meta.url));
const SERVE = ['serve', '--tcp', '127.0.0.1:0'];

/** Milliseconds from spawn to the first "listening on tcp" line on stdout. */
async function timeToListen(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
  let out = '';
  const ms = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (/listening on tcp 127\.0\.0\.1:\d+/.test(out)) resolve(performance.now() - start);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before listening: ${out}`)));
  });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

export async function benchStartup(): Promise<void> {
  const stale = staleReason(root);
  if (stale !== null) {
    console.log(`startup: building first (${stale})`);
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0 || staleReason(root) !== null) throw new Error('startup: the build failed');
  }

  const bare: number[] = [];
  const bundled: number[] = [];
  const fromSrc: number[] = [];
  const srcEnv = { ...process.env, FC41D_FROM_SRC: '1' };
  await timeToListen([BARE]); // warm the disk cache for both
  await timeToListen([BIN, ...SERVE]);
  for (let i = 0; i < ROUNDS; i++) {
    bare.push(await timeToListen([BARE]));
    bundled.push(await timeToListen([BIN, ...SERVE]));
    if (i % 3 === 0) fromSrc.push(await timeToListen([BIN, ...SERVE], srcEnv)); // slow; a few rounds are enough
  }

  const checks: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    staleReason(root);
    checks.push(performance.now() - t);
  }

  const ratio = median(bundled) / median(bare);
  const verdict = ratio <= TARGET ? '' : '  ABOVE TARGET';
  console.log(
    `startup: fc41d serve listening in ${median(bundled).toFixed(0)} ms (bundle) vs bare node server ${median(bare).toFixed(0)} ms, ` +
      `ratio ${ratio.toFixed(2)} (target <= ${TARGET})${verdict}; medians of ${ROUNDS} alternating rounds`,
  );
  console.log(
    `startup: through tsx (src/ changed since the build) ${median(fromSrc).toFixed(0)} ms, ratio ${(median(fromSrc) / median(bare)).toFixed(2)}; ` +
      `bin's staleness check ${median(checks).toFixed(2)} ms (first call ${checks[0].toFixed(2)} ms)`,
  );
}
