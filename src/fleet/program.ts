/**
 * The device program of a run: a user's file (`--device ./device.js`, imported once, its
 * `run(client, ctx)` called for every device) or a built-in behaviour (`--behaviour telemetry`).
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { telemetry, type TelemetryOptions } from './telemetry.ts';
import { deviceRandom } from './runner.ts';
import type { DeviceProgram } from './types.ts';

export const BEHAVIOURS = ['telemetry'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/**
 * Loads a device file (ES module or CommonJS); throws a one-line message when it cannot be used.
 * require() first: it loads an ES module `.js` outside a `"type": "module"` package the same way
 * under the bundle and under tsx (whose import() would take it for CommonJS); import() for
 * what require() cannot take (top-level await).
 */
export async function loadDeviceProgram(path: string): Promise<DeviceProgram> {
  const file = resolve(path);
  let mod: Record<string, unknown>;
  try {
    try {
      mod = createRequire(import.meta.url)(file) as Record<string, unknown>;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'ERR_REQUIRE_ESM') throw e;
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new Error(`--device ${path}: cannot load it: ${(e as Error).message.split('\n')[0]}`);
  }
  const run = mod.run ?? (mod.default as Record<string, unknown> | undefined)?.run ?? mod.default;
  if (typeof run !== 'function') throw new Error(`--device ${path}: it exports no function run(client, ctx)`);
  return run as DeviceProgram;
}

export function telemetryProgram(opts: Omit<TelemetryOptions, 'random'> & { seed: number }): DeviceProgram {
  return (client, ctx) => telemetry(client, ctx, { ...opts, random: deviceRandom(opts.seed, ctx.index) });
}
