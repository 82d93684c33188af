/**
 * IPv4 helpers for DHCP pools and soft-AP subnets. A pool's host numbers count from the
 * gateway's x.y.z.0 and carry into the higher octets, so a pool wider than a /24 (a mask like
 * 255.255.0.0 and `last` past 254) holds thousands of stations: gateway 10.0.0.1, host 300 →
 * 10.0.1.44. Within a /24 that is the old rule, the first three octets and the host number.
 */
export interface IpConfig {
  ip: string;
  mask: string;
  gateway: string;
  dns: string;
}

export const NO_IP: IpConfig = { ip: '0.0.0.0', mask: '0.0.0.0', gateway: '0.0.0.0', dns: '0.0.0.0' };

/** `10.0.1.44` → its 32-bit value (unsigned); NaN for anything else. */
export function ipToInt(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return NaN;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIp(value: number): string {
  const v = value >>> 0;
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join('.');
}

/** `192.168.1.1`, host 57 → `192.168.1.57`; host 300 → `192.168.2.44` (counting from x.y.z.0). */
export function hostInSubnet(address: string, host: number): string {
  return intToIp(poolBase(address) + host);
}

/** The x.y.z.0 host numbers count from. */
export function poolBase(gateway: string): number {
  return Math.floor(ipToInt(gateway) / 256) * 256;
}

/** The host number of `ip` in a pool of `gateway` (may be out of the pool's range; NaN if not an address). */
export function hostNumber(gateway: string, ip: string): number {
  return ipToInt(ip) - poolBase(gateway);
}

/** 255.255.240.0 → 20; undefined for a mask whose ones are not contiguous. */
export function prefixLength(mask: string): number | undefined {
  const m = ipToInt(mask);
  if (!Number.isFinite(m)) return undefined;
  const ones = m.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(ones)) return undefined;
  return ones.indexOf('0') < 0 ? 32 : ones.indexOf('0');
}

export function maskOf(prefix: number): string {
  return intToIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/**
 * The highest host number a pool of `gateway`/`mask` may reach: the address before the
 * subnet's broadcast. Undefined when the mask is not a netmask.
 */
export function lastHostAllowed(gateway: string, mask: string): number | undefined {
  const prefix = prefixLength(mask);
  if (prefix === undefined) return undefined;
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ipToInt(gateway) / size) * size;
  return network + size - 2 - poolBase(gateway);
}

export interface PoolShape {
  gateway: string;
  mask: string;
  first: number;
  last: number;
}

/** How many addresses a pool hands out (the gateway's own address, inside it, is never leased). */
export function poolSize(pool: PoolShape): number {
  const gw = hostNumber(pool.gateway, pool.gateway);
  return pool.last - pool.first + 1 - (gw >= pool.first && gw <= pool.last ? 1 : 0);
}

/**
 * A pool with room for `stations`: unchanged when it already has it, else `last` moved up and
 * the mask widened (never narrowed) just enough to hold it. Null when even a /8 cannot.
 */
export function poolFor<P extends PoolShape>(pool: P, stations: number): P | null {
  if (poolSize(pool) >= stations) return pool;
  const gw = hostNumber(pool.gateway, pool.gateway);
  let last = pool.first + stations - 1;
  if (gw >= pool.first && gw <= last) last++;
  const current = prefixLength(pool.mask) ?? 24;
  for (let prefix = Math.min(current, 30); prefix >= 8; prefix--) {
    const mask = maskOf(prefix);
    const allowed = lastHostAllowed(pool.gateway, mask)!;
    if (last <= allowed) return { ...pool, mask, last };
  }
  return null;
}
