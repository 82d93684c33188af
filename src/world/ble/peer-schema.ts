/**
 * The world file's `ble.peers` (docs/world.md, "BLE peers"): virtual BLE devices the modules meet.
 * Strict objects, so a misspelt field is an error naming its path. Data fields take a string as
 * text, except `notify.values`, whose strings are hex (sensor readings are bytes); each takes
 * `{ "hex": "…" }` or `{ "text": "…" }` to say which.
 */
import { z } from 'zod';
import { addressFor, normaliseAddress, normaliseUuid } from './ids.ts';

const hex = z
  .string()
  .regex(/^([0-9a-f]{2})*$/i, 'hex digits, two per byte')
  .transform((s) => Buffer.from(s, 'hex'));
const text = z.string().transform((s) => Buffer.from(s, 'utf8'));
const tagged = z.union([z.strictObject({ hex }).transform((o) => o.hex), z.strictObject({ text }).transform((o) => o.text)]);
/** A string is text. */
const dataText = z.union([text, tagged]);
/** A string is hex. */
const dataHex = z.union([hex, tagged]);

const uuid = z.string().transform((s, ctx) => {
  const norm = normaliseUuid(s);
  if (norm === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a UUID: 4 or 32 hex digits, or the dashed 128-bit form' });
    return z.NEVER;
  }
  return norm;
});

const address = z.string().transform((s, ctx) => {
  const norm = normaliseAddress(s);
  if (norm === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a BLE address like d0:12:34:56:78:9a or d0123456789a' });
    return z.NEVER;
  }
  return norm;
});

const PROPERTIES = ['read', 'write', 'writeNoResponse', 'notify', 'indicate'] as const;

const CharacteristicSchema = z.strictObject({
  uuid,
  properties: z.array(z.enum(PROPERTIES)).default(['read']),
  value: dataText.optional(),
  /** Notify `values` in turn every `everyMs` (scaled) once the central subscribed. */
  notify: z
    .strictObject({
      everyMs: z.number().min(1),
      values: z.array(dataHex).min(1),
      loop: z.boolean().default(true),
    })
    .optional(),
  /** What a write does: store it (reads see it), or also notify it back. */
  onWrite: z.enum(['store', 'echo']).default('store'),
});

const ServiceSchema = z.strictObject({ uuid, characteristics: z.array(CharacteristicSchema).default([]) });

const WriteSchema = z.strictObject({
  uuid,
  data: dataText,
  /** Wait this long (scaled) after the step before. */
  afterMs: z.number().min(0).default(0),
});

const ConnectSchema = z.strictObject({
  /** An advertiser's name or address; the peer scans until it hears it. */
  to: z.string().min(1),
  /** Wait this long (scaled) after the peer starts. */
  afterMs: z.number().min(0).default(0),
  mtu: z.number().int().min(23).max(512).default(247),
  subscribe: z.array(uuid).default([]),
  writes: z.array(WriteSchema).default([]),
});

export const BlePeerSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Made from the name (a random static address) when absent. */
    address: address.optional(),
    addressType: z.union([z.literal(0), z.literal(1)]).default(1),
    rssi: z.number().int().min(-127).max(20).default(-55),
    role: z.enum(['peripheral', 'central']).default('peripheral'),
    advertising: z
      .strictObject({
        intervalMs: z.number().min(20).max(10240).default(100),
        connectable: z.boolean().default(true),
        /** The whole AD structures; default: flags and the complete name. */
        advData: hex.optional(),
        scanResponse: hex.optional(),
      })
      .default({ intervalMs: 100, connectable: true }),
    mtu: z.number().int().min(23).max(512).default(247),
    services: z.array(ServiceSchema).default([]),
    connect: ConnectSchema.optional(),
  })
  .transform((peer) => ({ ...peer, address: peer.address ?? addressFor(peer.name) }))
  .superRefine((peer, ctx) => {
    for (const [name, packet] of [['advData', peer.advertising.advData], ['scanResponse', peer.advertising.scanResponse]] as const)
      if (packet && packet.length > 31) ctx.addIssue({ code: 'custom', path: ['advertising', name], message: 'at most 31 bytes' });
    peer.services.forEach((s, i) =>
      s.characteristics.forEach((c, j) => {
        if (c.notify && !c.properties.includes('notify') && !c.properties.includes('indicate'))
          ctx.addIssue({ code: 'custom', path: ['services', i, 'characteristics', j, 'notify'], message: 'needs the notify or indicate property' });
      }),
    );
  });

export const BleSchema = z
  .strictObject({ peers: z.array(BlePeerSchema).default([]) })
  .superRefine((ble, ctx) => {
    const seen = new Map<string, number>();
    ble.peers.forEach((p, i) => {
      for (const key of [`name:${p.name}`, `address:${p.address}`]) {
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['peers', i], message: `same ${key.split(':')[0]} as peers[${seen.get(key)}]` });
        else seen.set(key, i);
      }
    });
  });

export type BlePeerConfig = z.infer<typeof BlePeerSchema>;
export type BlePeerInput = z.input<typeof BlePeerSchema>;
export type BleConfig = z.infer<typeof BleSchema>;
