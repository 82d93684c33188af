/** `/api/world/ble/peers`: the world's virtual BLE peers (src/world/ble/peer.ts), by name. */
import { z } from 'zod';
import { BlePeerSchema, type BlePeerInput } from '../world/ble/peer-schema.ts';
import type { VirtualPeer } from '../world/ble/peer.ts';
import { ApiError, conflict, notFound } from './api-error.ts';
import { type ControlContext, noteWorld } from './context.ts';
import { noContent, route } from './route.ts';
import { PeerDataBody, PeerPatchBody, PeerView } from './schemas.ts';

function peerNamed(ctx: ControlContext, name: string): VirtualPeer {
  const peer = ctx.world.ble.peers().find((p) => p.name === name);
  if (!peer) throw notFound(`BLE peer ${name}`);
  return peer;
}

const bytesOf = (data: z.infer<typeof PeerDataBody>['data']) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.hex, 'hex'));

/** notify/write: the peer's own refusal (wrong role, not connected, unknown UUID) is a 409; a full queue too. */
function send(ctx: ControlContext, name: string, what: 'notify' | 'write', body: z.infer<typeof PeerDataBody>) {
  const peer = peerNamed(ctx, name);
  let ok: boolean;
  try {
    ok = peer[what](body.uuid, bytesOf(body.data));
  } catch (e) {
    throw conflict(e instanceof Error ? e.message : String(e));
  }
  if (!ok) throw conflict(`${name}: the link's queue is full, try again`);
  noteWorld(ctx, { peer: name, [what]: { uuid: body.uuid, hex: bytesOf(body.data).toString('hex') } });
  return noContent;
}

export const bleRoutes = [
  route({
    method: 'GET',
    path: '/api/world/ble/peers',
    summary: "the world's virtual BLE peers",
    status: 200,
    response: z.array(PeerView),
    handle: (ctx) => ({ status: 200, json: ctx.world.ble.peers().map((p) => p.toJSON()) }),
  }),
  route({
    method: 'POST',
    path: '/api/world/ble/peers',
    summary: 'adds a virtual peer (as in the world file) and starts it',
    body: BlePeerSchema,
    bodyAsSent: true, // addPeer parses it (its output has Buffers, which would not parse again)
    status: 201,
    response: PeerView,
    handle: (ctx, { body }) => {
      const name = (body as { name: string }).name;
      if (ctx.world.ble.peers().some((p) => p.name === name)) throw conflict(`there is a BLE peer named ${name}`);
      let peer: VirtualPeer;
      try {
        peer = ctx.world.ble.addPeer(body as BlePeerInput);
      } catch (e) {
        throw new ApiError(409, e instanceof Error ? e.message : String(e));
      }
      noteWorld(ctx, { peer: name, change: 'added' });
      return { status: 201, json: peer.toJSON() };
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/world/ble/peers/{name}',
    summary: "changes a peer's signal at the modules",
    body: PeerPatchBody,
    status: 200,
    response: PeerView,
    handle: (ctx, { params, body }) => {
      const peer = peerNamed(ctx, params.name!);
      peer.setRssi(body.rssi);
      noteWorld(ctx, { peer: peer.name, change: 'changed', patch: body });
      return { status: 200, json: peer.toJSON() };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/world/ble/peers/{name}',
    summary: 'stops a peer and forgets it (its links time out at the other side)',
    status: 204,
    handle: (ctx, { params }) => {
      peerNamed(ctx, params.name!);
      ctx.world.ble.removePeer(params.name!);
      noteWorld(ctx, { peer: params.name, change: 'removed' });
      return noContent;
    },
  }),
  route({
    method: 'POST',
    path: '/api/world/ble/peers/{name}/notify',
    summary: 'as a peripheral: notifies a characteristic on its links',
    body: PeerDataBody,
    status: 204,
    handle: (ctx, { params, body }) => send(ctx, params.name!, 'notify', body),
  }),
  route({
    method: 'POST',
    path: '/api/world/ble/peers/{name}/write',
    summary: "as a central: writes a characteristic over its link",
    body: PeerDataBody,
    status: 204,
    handle: (ctx, { params, body }) => send(ctx, params.name!, 'write', body),
  }),
  route({
    method: 'POST',
    path: '/api/world/ble/peers/{name}/disconnect',
    summary: 'ends its links',
    status: 204,
    handle: (ctx, { params }) => {
      peerNamed(ctx, params.name!).disconnect();
      noteWorld(ctx, { peer: params.name, change: 'disconnected' });
      return noContent;
    },
  }),
];
