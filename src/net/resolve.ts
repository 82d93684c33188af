/**
 * Name → address for the sockets: the world's hosts map first (names and literal addresses
 * alike, with its port remapping), then an IPv4 literal as it is, then real DNS (IPv4 only, as
 * the FC41D). A host string that is neither a dotted-quad IPv4 address nor a valid DNS name is
 * a parameter error (550); a name DNS cannot resolve is 551.
 */
import { promises as dns } from 'node:dns';
import { dnsFault, type FaultScope } from '../faults/dial-faults.ts';
import type { World } from '../world/world.ts';
import { describeError } from './link.ts';
import { Result, type ResultCode } from '../results/index.ts';

export type Lookup = (name: string) => Promise<string>;

/** What resolution asks of the world: its hosts map (`World.resolveHost`, with port remapping). */
export type HostsMap = Pick<World, 'resolveHost'>;

export const dnsLookup: Lookup = async (name) => (await dns.lookup(name, { family: 4 })).address;

export type HostKind = 'ipv4' | 'name' | 'bad';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** What a host string is: IPv4 literal (not 0.0.0.0), DNS name, or not usable. */
export function hostKind(host: string): HostKind {
  if (host.length === 0 || host.length > 253) return 'bad';
  if (/^[0-9.]+$/.test(host)) return isIpv4(host) && host !== '0.0.0.0' ? 'ipv4' : 'bad';
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  return labels.every((label) => LABEL.test(label)) ? 'name' : 'bad';
}

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** A resolved address and port (a hosts map may remap the port), or why not; `cause`: the DNS error. */
export type Target = { ok: true; address: string; port: number } | { ok: false; result: ResultCode; detail: string; cause?: unknown };

/** Without DNS: hosts map, then IPv4 literal (UDP SERVICE destinations, which must be known at once). */
export function resolveNow(world: HostsMap, host: string, port: number): Target {
  const kind = hostKind(host);
  if (kind === 'bad') return { ok: false, result: Result.INVALID_PARAMETER, detail: `invalid host "${host}"` };
  const mapped = world.resolveHost(host, port);
  if (mapped) return { ok: true, ...mapped };
  if (kind === 'ipv4') return { ok: true, address: host, port };
  return { ok: false, result: Result.INVALID_PARAMETER, detail: `"${host}" is not an IPv4 address or a name in the hosts map` };
}

/**
 * Hosts map, IPv4 literal, then DNS. A `dns-failure` fault on a name (in `faults`) fails it as
 * DNS fails an unknown name, hosts map or not.
 */
export async function resolveTarget(world: HostsMap, host: string, port: number, lookup: Lookup = dnsLookup, faults: FaultScope = {}): Promise<Target> {
  if (hostKind(host) === 'name') {
    const failed = dnsFault(faults, host);
    if (failed) return failed;
  }
  const now = resolveNow(world, host, port);
  if (now.ok || hostKind(host) !== 'name') return now;
  try {
    return { ok: true, address: await lookup(host), port };
  } catch (error) {
    return { ok: false, result: Result.UNKNOWN_ERROR, detail: `DNS lookup of ${host} failed: ${describeError(error)}`, cause: error };
  }
}
