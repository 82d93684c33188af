/**
 * `/api/fleet/signal`: a share of the modules loses (or regains) its signal while the rest keep
 * theirs — "30 % of devices lose Wi-Fi" at fleet scale (docs/fleet.md). The world hears every AP
 * at `rssi` for those stations (World.setStationSignal): each module's station hears its own
 * signal, in `fc41d fleet` and `fc41d serve` alike. The choice is a seeded shuffle: the same seed and
 * percentage pick the same modules.
 */
import { z } from 'zod';
import { seededRandom } from '../random.ts';
import type { ControlContext } from './context.ts';
import { noteWorld } from './context.ts';
import { noContent, route } from './route.ts';

const SignalBody = z.strictObject({
  /** The share of the modules, 0–100. */
  percent: z.number().min(0).max(100),
  /** The signal they hear every AP at, dBm; below -90 is out of range. */
  rssi: z.number().int().min(-100).max(0),
  /** The shuffle's seed (default 1). */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
});

const SignalView = z.object({ modules: z.array(z.number().int()), rssi: z.number() });

/** `count` of the indices 0 … n−1, picked by a seeded Fisher–Yates shuffle, in ascending order. */
export function pickModules(n: number, count: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}

export const fleetRoutes = [
  route({
    method: 'POST',
    path: '/api/fleet/signal',
    summary: 'a percentage of the modules hears every AP at this signal (e.g. -95: lost); the others keep theirs',
    body: SignalBody,
    status: 200,
    response: SignalView,
    handle: (ctx: ControlContext, { body }) => {
      const { percent, rssi, seed } = body as z.infer<typeof SignalBody>;
      const modules = pickModules(ctx.modules.length, Math.round((percent / 100) * ctx.modules.length), seed ?? 1);
      ctx.world.setStationSignal(modules.map((i) => ctx.modules[i]!.mac), rssi);
      noteWorld(ctx, { signal: { percent, rssi, modules: modules.length } });
      return { status: 200, json: { modules, rssi } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/fleet/signal',
    summary: 'every module hears the APs at their own signal again',
    status: 204,
    handle: (ctx: ControlContext) => {
      ctx.world.setStationSignal([...ctx.world.stationSignals().keys()], null);
      noteWorld(ctx, { signal: 'restored' });
      return noContent;
    },
  }),
];
