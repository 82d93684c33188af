/** What a device program gets (docs/fleet.md): the client driving its module, and its context. */
import type { AtClient } from '../client/index.ts';
import type { DeviceIdentity } from './identity.ts';
import type { DeviceMetrics } from './metrics.ts';

export type { AtClient, DeviceIdentity, DeviceMetrics };

export interface DeviceContext {
  /** The global index (the same on every shard layout). */
  index: number;
  identity: DeviceIdentity;
  /** Aborted when the run ends (--duration, SIGINT/SIGTERM): the program should return. */
  signal: AbortSignal;
  /** A line on stderr, prefixed with the device's index. */
  log(msg: string): void;
  metrics: DeviceMetrics;
}

/** `export async function run(client, ctx)` of a `--device` file, or a built-in behaviour. */
export type DeviceProgram = (client: AtClient, ctx: DeviceContext) => Promise<void> | void;
