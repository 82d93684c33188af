/**
 * MAC addresses of the modules one `fc41d serve` runs. Module i has the default MAC plus 2·i
 * (carrying into the higher octets), because each module also uses the next address for BLE
 * (FIDELITY.md: BLE address = Wi-Fi MAC + 1): module 0 c8:47:8c:42:00:48, module 1 …:00:4a.
 */
/** The Wi-Fi MAC of a module nobody gave one (module 0). */
export const DEFAULT_MAC = 'c8:47:8c:42:00:48';

/** A MAC (lower-case, colons) plus `n`, as a 48-bit number that wraps around. */
export function offsetMac(mac: string, n: number): string {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new Error(`not a MAC address: ${mac}`);
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer offset: ${n}`);
  const value = (BigInt(`0x${mac.replaceAll(':', '')}`) + BigInt(n)) & 0xffff_ffff_ffffn;
  const hex = value.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

/** The Wi-Fi MAC of module `index` (0-based). */
export function moduleMac(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new Error(`not a module index: ${index}`);
  return offsetMac(DEFAULT_MAC, 2 * index);
}
