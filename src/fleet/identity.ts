/**
 * A fleet device's identity, derived from its global index alone, so shards on other machines
 * give out disjoint ones without talking to each other: the Wi-Fi MAC of src/device/mac.ts
 * (default MAC + 2·index: unique for any index below 2^46), the BLE address one above it
 * (FIDELITY.md), a serial `FC41D` + the index in 8 digits, and the MQTT client id `fc41d-<serial>`.
 */
import { moduleMac, offsetMac } from '../device/mac.ts';

export interface DeviceIdentity {
  /** Global index: 0 … devices − 1 across every shard. */
  index: number;
  /** Wi-Fi MAC, lower-case with colons. */
  mac: string;
  /** BLE address: the MAC + 1, lower-case with colons. */
  bleAddress: string;
  clientId: string;
  serial: string;
}

/** Indices up to here keep serials of one width (8 digits) and MACs far from wrapping. */
export const MAX_DEVICE_INDEX = 99_999_999;

export function serialOf(index: number): string {
  return `FC41D${String(index).padStart(8, '0')}`;
}

export function deviceIdentity(index: number): DeviceIdentity {
  if (!Number.isInteger(index) || index < 0 || index > MAX_DEVICE_INDEX) throw new RangeError(`not a device index: ${index}`);
  const mac = moduleMac(index);
  const serial = serialOf(index);
  return { index, mac, bleAddress: offsetMac(mac, 1), clientId: `fc41d-${serial}`, serial };
}
