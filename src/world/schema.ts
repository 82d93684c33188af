/**
 * The world file (`--world PATH`): the simulated radio environment modules share.
 * Validated with zod so a mistake is reported with the path of the offending field.
 * Documented in docs/world.md.
 */
import { z } from 'zod';
import { BleSchema } from './ble/peer-schema.ts';
import { lastHostAllowed, prefixLength } from './ip.ts';

/** Security words as the module prints them in scans (FIDELITY.md). */
export const SECURITY = ['OPEN', 'WEP', 'WPA_PSK', 'WPA2_AES_PSK', 'WPA2_MIXED_PSK', 'WPA3_SAE'] as const;
export type Security = (typeof SECURITY)[number];

const ipv4 = z.ipv4();
const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, 'a MAC address like f0:9b:b8:32:94:b0').transform((s) => s.toLowerCase());

const HostSchema = z.strictObject({
  address: ipv4,
  ports: z.record(z.string().regex(/^\d{1,5}$/, 'a port number'), z.number().int().min(1).max(65535)).default({}),
});

export const DhcpSchema = z
  .strictObject({
    /** The AP's own address, handed out as gateway (and DNS unless `dns` is set). */
    gateway: ipv4.default('192.168.1.1'),
    mask: ipv4.default('255.255.255.0'),
    dns: ipv4.optional(),
    /**
     * First and last host number of the pool, counted from the gateway's x.y.z.0 (ip.ts): within
     * a /24 the last octet; past 254 they carry into the higher octets, which a wider mask allows
     * (255.255.0.0, last 20099: 20,000 addresses).
     */
    first: z.number().int().min(1).max(0xffffff).default(100),
    last: z.number().int().min(1).max(0xffffff).default(199),
    /** How long the DHCP exchange takes, in ms (scaled by timeScale). */
    delayMs: z.number().min(0).default(300),
  })
  .refine((d) => d.first <= d.last, { message: 'first must not be above last', path: ['first'] })
  .superRefine((d, ctx) => {
    if (d.last <= 254) return; // a pool in the gateway's /24: any mask, as always
    const allowed = lastHostAllowed(d.gateway, d.mask);
    if (allowed === undefined) ctx.addIssue({ code: 'custom', path: ['mask'], message: 'a pool past host 254 needs a netmask (contiguous ones)' });
    else if (d.last > allowed)
      ctx.addIssue({ code: 'custom', path: ['last'], message: `the pool must end inside ${d.gateway}/${prefixLength(d.mask)}: last at most ${allowed} (a wider mask allows more)` });
  });

export const AccessPointSchema = z
  .strictObject({
    ssid: z.string().min(1).refine((s) => Buffer.byteLength(s) <= 32, 'an SSID is at most 32 bytes'),
    security: z.enum(SECURITY).default('WPA2_AES_PSK'),
    password: z.string().optional(),
    /** Signal at the modules, dBm. Below -90 the AP is out of range. */
    rssi: z.number().int().min(-100).max(0).default(-50),
    channel: z.number().int().min(1).max(14).default(6),
    /** Made from the SSID when absent. */
    bssid: mac.optional(),
    /** Whether hosts on this AP reach the internet (real networking); false: only the world's hosts. */
    internet: z.boolean().default(true),
    /** false: the AP is switched off (it can come back through the API). */
    up: z.boolean().default(true),
    dhcp: DhcpSchema.default(DhcpSchema.parse({})),
  })
  .superRefine((ap, ctx) => {
    if (ap.security === 'OPEN' && ap.password !== undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'an OPEN AP has no password' });
    if (ap.security !== 'OPEN' && ap.password === undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: `a ${ap.security} AP needs a password` });
  });

// Strict objects: a misspelt field is an error naming it, not silently ignored.
export const WorldSchema = z.strictObject({
  accessPoints: z.array(AccessPointSchema).default([]),
  /**
   * Names the modules resolve before real DNS: name → address, or name → { address, ports }
   * where `ports` maps a port the module asks for to the port really used, e.g. a test's
   * echo server on an ephemeral port behind `echo.test:7`.
   */
  hosts: z.record(z.string(), z.union([ipv4, HostSchema])).default({}),
  /** Multiplies every radio delay (scan, association, DHCP, retries); 0 makes them immediate. */
  timeScale: z.number().min(0).max(100).default(1),
  /** The BLE medium's virtual peers (docs/world.md, "BLE peers"); absent: none. */
  ble: BleSchema.optional(),
});

export type WorldConfig = z.infer<typeof WorldSchema>;
export type AccessPointConfig = z.infer<typeof AccessPointSchema>;
export type AccessPointInput = z.input<typeof AccessPointSchema>;

/** Validates a parsed world file; the error names each offending path, e.g. `accessPoints[1].rssi`. */
export function parseWorld(json: unknown, source = 'world'): WorldConfig {
  const result = WorldSchema.safeParse(json);
  if (!result.success) throw new Error(`${source}: ${z.prettifyError(result.error)}`);
  return result.data;
}
