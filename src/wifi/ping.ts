/**
 * AT+QPING (§2.1.5): whether an address answers. Addresses on the simulated LAN (the AP,
 * other stations on it) answer from the world; anything else needs an AP with internet
 * and is probed for real: a TCP connection attempt that is accepted or refused (a reset
 * came back) within PROBE_TIMEOUT_MS counts as an answer. ICMP would need privileges
 * the emulator should not ask for.
 */
import { connect } from 'node:net';
import type { WifiService } from './service.ts';

export const PROBE_TIMEOUT_MS = 1000;
const PROBE_PORT = 80;

export async function probe(wifi: WifiService, ip: string): Promise<boolean> {
  const own = wifi.station.ip;
  const ap = wifi.station.ap;
  if (!own || !ap) return false;
  if (ip === own.ip) return true;
  if (ip === ap.dhcp.gateway) return true;
  if (wifi.world.isLeased(ap.bssid, ip)) return true;
  if (sameSubnet(ip, own.ip, own.mask) || !ap.internet) return false;
  return reachable(ip);
}

function sameSubnet(a: string, b: string, mask: string): boolean {
  const n = (s: string) => s.split('.').reduce((acc, part) => (acc << 8) | Number(part), 0);
  return (n(a) & n(mask)) === (n(b) & n(mask));
}

function reachable(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port: PROBE_PORT, timeout: PROBE_TIMEOUT_MS });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED'));
  });
}
