/**
 * The control API's bodies and answers as zod schemas: bodies are validated with them (strict
 * objects: an unknown field is a 400 naming it) and openapi.ts turns all of them into JSON
 * Schema. The world's own schemas (AccessPointSchema, BlePeerSchema, FaultSpecSchema) are used
 * as they are wherever the API takes what the world file takes.
 */
import { z } from 'zod';
import { FaultSpecSchema } from '../faults/types.ts';
import { SECURITY, WorldSchema } from '../world/schema.ts';

export const ModuleIndex = z.number().int().min(0).max(15);

export const ModuleSchema = z.object({
  index: z.number().int(),
  label: z.string(),
  power: z.enum(['off', 'booting', 'on', 'sleeping']),
  wifi: z.object({
    state: z.enum(['down', 'joining', 'connected']),
    ssid: z.string().optional(),
    ip: z.string().optional(),
  }),
  ble: z.object({ role: z.number().int(), state: z.string(), address: z.string() }),
  sockets: z.array(z.object({ id: z.number().int(), type: z.string(), state: z.string(), remote: z.string().optional() })),
  mqtt: z.array(z.object({ id: z.number().int(), state: z.string(), server: z.string().optional() })),
  /** The provisioning page's URL while AT+QWEBCFG serves one. */
  webcfg: z.string().nullable(),
});
export type ModuleView = z.infer<typeof ModuleSchema>;

export const AirkissBody = z.strictObject({
  ssid: z.string().min(1).max(32),
  key: z.string().max(64).optional(),
});

/** PATCH /api/world/access-points/{ssid}: what may change while the world runs. */
export const AccessPointPatchBody = z.strictObject({
  up: z.boolean().optional(),
  rssi: z.number().int().min(-100).max(0).optional(),
  password: z.string().optional(),
  channel: z.number().int().min(1).max(14).optional(),
  security: z.enum(SECURITY).optional(),
  internet: z.boolean().optional(),
});

/** An AP as the world holds it (the world file's fields with defaults filled in, its BSSID, a soft-AP's owner). */
export const AccessPointView = z.looseObject({ ssid: z.string(), bssid: z.string(), up: z.boolean(), rssi: z.number(), owner: z.string().optional() });

/** PUT /api/world/hosts/{name}: as in the world file's `hosts`, an address or `{address, ports}`. */
export const HostEntryBody = WorldSchema.shape.hosts.unwrap().valueType;

export const PeerPatchBody = z.strictObject({ rssi: z.number().int().min(-127).max(20) });

/** Bytes for a peer to notify or write: text (UTF-8), or `{"hex"}`. */
export const PeerDataBody = z.strictObject({
  uuid: z.string().min(1),
  data: z.union([z.string(), z.strictObject({ hex: z.string().regex(/^([0-9a-fA-F]{2})*$/, 'an even number of hex digits') })]),
});

export const PeerView = z.looseObject({ name: z.string(), address: z.string(), rssi: z.number(), connected: z.boolean() });

export const WorldView = z.object({
  timeScale: z.number(),
  accessPoints: z.array(AccessPointView),
  hosts: z.record(z.string(), HostEntryBody),
  ble: z.object({ peers: z.array(PeerView), advertisers: z.array(z.looseObject({ address: z.string(), name: z.string(), rssi: z.number() })) }),
});

/** POST /api/faults: a fault of the catalogue, where `module` is a module's index (the set holds its label). */
export const FaultBody = z.discriminatedUnion(
  'kind',
  FaultSpecSchema.options.map((o) => o.extend({ module: ModuleIndex.optional() })) as unknown as [typeof FaultSpecSchema.options[number], ...typeof FaultSpecSchema.options],
);

/** A fault as GET /api/faults lists it (module as an index). */
export const FaultView = z.looseObject({
  id: z.string(),
  kind: z.string(),
  started: z.string(),
  hits: z.number().int(),
  module: ModuleIndex.optional(),
});

export const ErrorView = z.object({ error: z.string(), field: z.string().optional() });
