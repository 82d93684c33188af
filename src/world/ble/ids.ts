/**
 * The medium's spelling of addresses and UUIDs (types.ts): 12 lower-case hex digits without
 * colons, and 4 or 32 lower-case hex digits without dashes.
 */

/** `D0:12:34:56:78:9A` or `d0123456789a` → `d0123456789a`; undefined when it is neither. */
export function normaliseAddress(input: string): string | undefined {
  const hex = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(input) ? input.replace(/:/g, '') : input;
  return /^[0-9a-f]{12}$/i.test(hex) ? hex.toLowerCase() : undefined;
}

/** `180D`, `0000180d-0000-1000-8000-00805f9b34fb` → `180d`, `0000180d00001000800000805f9b34fb`; undefined otherwise. */
export function normaliseUuid(input: string): string | undefined {
  const dashed = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input);
  const hex = dashed ? input.replace(/-/g, '') : input;
  return /^([0-9a-f]{4}|[0-9a-f]{32})$/i.test(hex) ? hex.toLowerCase() : undefined;
}

/** A stable random static address (top two bits set) made from a name, for peers without one. */
export function addressFor(name: string): string {
  let h = 2166136261;
  let out = '';
  for (let i = 0; i < 6; i++) {
    for (const b of Buffer.from(`${name}/${i}`)) h = Math.imul(h ^ b, 16777619) >>> 0;
    const byte = i === 0 ? (h & 0xff) | 0xc0 : h & 0xff;
    out += byte.toString(16).padStart(2, '0');
  }
  return out;
}

/** Data a caller hands the medium or a peer: bytes as they are, a string as its UTF-8 bytes. */
export function toBytes(data: Buffer | Uint8Array | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}
