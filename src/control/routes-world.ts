/**
 * `/api/world`: the access points (addressed by SSID: every AP of that SSID, a world may have
 * several BSSIDs for one) and the hosts map. Each change is traced as a `world` record.
 */
import { AccessPointSchema, type AccessPointInput } from '../world/schema.ts';
import type { AccessPoint, HostEntry } from '../world/world.ts';
import { ApiError, badBody, notFound } from './api-error.ts';
import { type ControlContext, noteWorld } from './context.ts';
import { noContent, route } from './route.ts';
import { AccessPointPatchBody, AccessPointView, HostEntryBody, WorldView } from './schemas.ts';
import { z } from 'zod';

/** The world as GET /api/world shows it. */
export function worldView(ctx: ControlContext) {
  const { world } = ctx;
  return {
    timeScale: world.timeScale,
    accessPoints: world.accessPoints(),
    hosts: world.hostEntries(),
    ble: {
      peers: world.ble.peers().map((p) => p.toJSON()),
      advertisers: world.ble.advertisers().map((a) => ({ ...a, advData: a.advData.toString('hex'), scanResponse: a.scanResponse.toString('hex') })),
    },
  };
}

function apsNamed(ctx: ControlContext, ssid: string): AccessPoint[] {
  const aps = ctx.world.accessPoints().filter((ap) => ap.ssid === ssid);
  if (aps.length === 0) throw notFound(`access point ${ssid}`);
  return aps;
}

/** The world's own validation (e.g. a WPA2 AP needs a password) as a 400 naming the field. */
function worldRefusal(e: unknown): ApiError {
  if (e instanceof z.ZodError) return badBody(e);
  return new ApiError(400, e instanceof Error ? e.message : String(e));
}

export const worldRoutes = [
  route({
    method: 'GET',
    path: '/api/world',
    summary: 'the access points, hosts map and BLE peers and advertisers',
    status: 200,
    response: WorldView,
    handle: (ctx) => ({ status: 200, json: worldView(ctx) }),
  }),
  route({
    method: 'POST',
    path: '/api/world/access-points',
    summary: 'adds an access point (as in the world file)',
    body: AccessPointSchema,
    status: 201,
    response: AccessPointView,
    handle: (ctx, { body }) => {
      let ap: AccessPoint;
      try {
        ap = ctx.world.addAccessPoint(body as AccessPointInput);
      } catch (e) {
        throw e instanceof z.ZodError ? badBody(e) : new ApiError(409, e instanceof Error ? e.message : String(e));
      }
      noteWorld(ctx, { accessPoint: ap, change: 'added' });
      return { status: 201, json: ap };
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/world/access-points/{ssid}',
    summary: 'changes every access point of this SSID: switch it off and on, its signal, key, channel, security, internet',
    body: AccessPointPatchBody,
    status: 200,
    response: AccessPointView,
    handle: (ctx, { params, body }) => {
      const aps = apsNamed(ctx, params.ssid!);
      const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      // Checked on every AP first, so a refusal leaves none of them changed.
      for (const ap of aps) {
        const { bssid: _b, owner: _o, ...config } = ap;
        const checked = AccessPointSchema.safeParse({ ...config, ...patch });
        if (!checked.success) throw badBody(checked.error);
      }
      let changed: AccessPoint | undefined;
      for (const ap of aps) {
        try {
          const now = ctx.world.updateAccessPoint(ap.bssid, patch);
          changed ??= now;
          noteWorld(ctx, { accessPoint: now, change: 'changed', patch });
        } catch (e) {
          throw worldRefusal(e);
        }
      }
      return { status: 200, json: changed };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/world/access-points/{ssid}',
    summary: 'removes every access point of this SSID',
    status: 204,
    handle: (ctx, { params }) => {
      for (const ap of apsNamed(ctx, params.ssid!)) {
        ctx.world.removeAccessPoint(ap.bssid);
        noteWorld(ctx, { accessPoint: ap, change: 'removed' });
      }
      return noContent;
    },
  }),
  route({
    method: 'PUT',
    path: '/api/world/hosts/{name}',
    summary: 'sets a name in the hosts map: an address, or {address, ports}',
    body: HostEntryBody,
    status: 200,
    response: z.record(z.string(), HostEntryBody),
    handle: (ctx, { params, body }) => {
      const name = params.name!;
      ctx.world.setHost(name, body as HostEntry);
      noteWorld(ctx, { host: name, entry: body, change: 'set' });
      return { status: 200, json: { [name]: body } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/world/hosts/{name}',
    summary: 'removes a name from the hosts map',
    status: 204,
    handle: (ctx, { params }) => {
      if (!ctx.world.removeHost(params.name!)) throw notFound(`host ${params.name}`);
      noteWorld(ctx, { host: params.name, change: 'removed' });
      return noContent;
    },
  }),
];
