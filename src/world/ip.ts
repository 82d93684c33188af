/** IPv4 helpers for DHCP pools and soft-AP subnets. */
export interface IpConfig {
  ip: string;
  mask: string;
  gateway: string;
  dns: string;
}

export const NO_IP: IpConfig = { ip: '0.0.0.0', mask: '0.0.0.0', gateway: '0.0.0.0', dns: '0.0.0.0' };

/** `192.168.1.1`, host 57 → `192.168.1.57` (the first three octets of the network). */
export function hostInSubnet(address: string, host: number): string {
  return address.split('.').slice(0, 3).concat(String(host)).join('.');
}
