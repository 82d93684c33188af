/** connectClient(): open the wire, then make sure the module answers before the first command. */
import { AtClient } from './client.ts';
import { AtTimeoutError } from './errors.ts';
import { openTarget } from './transports.ts';
import type { ClientTarget, ConnectOptions } from './types.ts';
import { OK } from './words.ts';

/** How long one `AT` probe waits: a module that is booting drops it, so try again. */
const PROBE_MS = 300;
/** After a probe that is not the first: its predecessors' late OKs, read and dropped. */
const SETTLE_MS = 100;

export async function connectClient(target: ClientTarget, opts: ConnectOptions = {}): Promise<AtClient> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const link = await openTarget(target, { baud: opts.baud, timeoutMs });
  const client = new AtClient(link.stream, { timeoutMs, guardMs: opts.guardMs, rawIdleMs: opts.rawIdleMs, release: link.close });
  try {
    if (opts.waitReady) await client.waitUrc('ready', { timeoutMs });
    else await sync(client, timeoutMs);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/**
 * `AT` until `OK` (what drivers do at start-up): works whether the module is booting (the probe
 * is dropped until `ready`, which triggers the next probe at once) or has long been up.
 */
async function sync(client: AtClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let controller = new AbortController();
  const onUrc = (u: { name: string }) => u.name === 'ready' && controller.abort();
  client.on('urc', onUrc);
  try {
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) throw new AtTimeoutError('AT (waiting for the module)', timeoutMs);
      controller = new AbortController();
      try {
        const result = await client.command('AT', { timeoutMs: Math.min(PROBE_MS, left), signal: controller.signal });
        if (result.final !== OK) continue;
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return;
      } catch (error) {
        const name = (error as Error).name;
        if (name !== 'AtTimeoutError' && name !== 'AbortError') throw error;
      }
    }
  } finally {
    client.off('urc', onUrc);
  }
}
