/**
 * The fault catalogue (issue 13, docs/control.md "Faults"): what can be broken on demand, as data.
 * A fault lives in the world's `FaultSet` (`world.faults`, faults.ts) from `add()` to `remove()`;
 * the parts that meet it ask the set: `dial()` (dns-failure, refuse, blackhole, latency,
 * tls-untrusted, and the connections reset-connections resets), UDP (udp-loss), the world's DHCP
 * (dhcp-failure) and each module's UART (uart-noise). Each shows on the host as the real module
 * would report the real failure (a DNS failure as a DNS failure, a refusal as a refusal).
 * Validated with zod: the control API answers 400 naming the field.
 */
import { z } from 'zod';

/** Which module a fault applies to: its label (`module 0`); absent: every module. */
const moduleField = z.string().min(1).optional();
/** A name as the module was given it, or an IPv4 address; matched case-insensitively against either. */
const hostField = z.string().min(1).max(255);
const portField = z.number().int().min(1).max(65535).optional();
const rateField = z.number().min(0).max(1);

export const FaultSpecSchema = z.discriminatedUnion('kind', [
  /** The name stops resolving (as an unknown name does). */
  z.strictObject({ kind: z.literal('dns-failure'), host: hostField, module: moduleField }),
  /** Connections to host[:port] are refused (a real RST to the SYN: ECONNREFUSED). */
  z.strictObject({ kind: z.literal('refuse'), host: hostField, port: portField, module: moduleField }),
  /** Connections to host[:port] never complete (the module's own connect timeout ends them). */
  z.strictObject({ kind: z.literal('blackhole'), host: hostField, port: portField, module: moduleField }),
  /** Open connections to host[:port] are reset now (a real RST); new ones are not affected. */
  z.strictObject({ kind: z.literal('reset-connections'), host: hostField, port: portField, module: moduleField }),
  /** Added one-way delay, and optionally a bandwidth cap, on connections to a host (or all). */
  z.strictObject({
    kind: z.literal('latency'),
    host: hostField.optional(),
    port: portField,
    delayMs: z.number().int().min(0).max(60_000),
    /** Bytes per second each way; absent: no cap. */
    bandwidth: z.number().int().min(1).optional(),
    module: moduleField,
  }),
  /** UDP datagrams to or from a host (or all) are dropped at this rate. */
  z.strictObject({ kind: z.literal('udp-loss'), host: hostField.optional(), rate: rateField, module: moduleField }),
  /** TLS connections to host[:port] meet a certificate no context trusts (as a man in the middle would show). */
  z.strictObject({ kind: z.literal('tls-untrusted'), host: hostField, port: portField, module: moduleField }),
  /** The AP with this SSID hands out no DHCP lease. */
  z.strictObject({ kind: z.literal('dhcp-failure'), ssid: z.string().min(1).max(32), module: moduleField }),
  /** Bytes between host and module dropped or flipped (one random bit) at this rate. */
  z.strictObject({
    kind: z.literal('uart-noise'),
    rate: rateField,
    mode: z.enum(['drop', 'flip', 'both']).default('both'),
    direction: z.enum(['to-module', 'to-host', 'both']).default('both'),
    module: moduleField,
  }),
]);

export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec['kind'];
export const FAULT_KINDS = FaultSpecSchema.options.map((o) => o.shape.kind.value) as FaultKind[];

/** A fault as the set holds it (and the API lists it). */
export type Fault = FaultSpec & {
  /** `f1`, `f2`, … in the order they were added. */
  id: string;
  /** Wall-clock start (ISO 8601). */
  started: string;
  /** How often it acted so far (connections refused, bytes dropped, leases refused, …). */
  hits: number;
};

/** What a part that may meet a fault knows about the case at hand. */
export interface FaultContext {
  /** The module's label (`module 0`). */
  module?: string;
  /** The host as the module gave it (a name or an address). */
  host?: string;
  /** The address it resolved to. */
  address?: string;
  port?: number;
  ssid?: string;
}
