/**
 * The values BLE commands take, checked and normalised to the medium's spelling
 * (src/world/ble/types.ts): UUIDs as 4 or 32 lower-case hex digits, addresses as 12, GATT data
 * in its text and counted-hex forms. Null means the input is bad (the command answers ERROR).
 */
import { offsetMac } from '../device/mac.ts';
import { normaliseAddress, normaliseUuid } from '../world/ble/ids.ts';

/** The Bluetooth base UUID's tail: `0000xxxx-0000-1000-8000-00805f9b34fb` is the 16-bit `xxxx`. */
const BASE_TAIL = '00001000800000805f9b34fb';

/**
 * A UUID as the host types it: 4 or 32 hex digits, either case; a dashed 128-bit UUID
 * (8-4-4-4-12) is accepted and its dashes dropped. Anything else (a handle number, 0x…) is null.
 */
export function parseUuid(text: string): string | null {
  return normaliseUuid(text.trim()) ?? null;
}

/** The same UUID whichever way it is written: a 128-bit form of a 16-bit UUID on the base is its 16-bit form. */
export function sameUuid(a: string, b: string): boolean {
  return shortForm(a) === shortForm(b);
}

function shortForm(uuid: string): string {
  const u = uuid.toLowerCase();
  return u.length === 32 && u.startsWith('0000') && u.endsWith(BASE_TAIL) ? u.slice(4, 8) : u;
}

/** A peer's address (AT+QBLECONN): 12 hex digits, colons between the octets allowed. */
export function parseAddress(text: string): string | null {
  return normaliseAddress(text.trim()) ?? null;
}

/** An even number of hex digits, either case, as bytes; null otherwise. */
export function parseHex(text: string): Buffer | null {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) return null;
  return Buffer.from(text, 'hex');
}

/**
 * The data of AT+QBLEGATTSNTFY and AT+QBLEGATTCWR (§2.2.10, §2.2.17), everything after the UUID:
 * `<byte count>,<hex>` when the first field is an integer and the rest is exactly twice that many
 * hex digits; text otherwise, where `\,` stands for a comma (example 4.2.3.2). Empty: null.
 */
export function parseGattData(field: string): Buffer | null {
  const counted = /^(\d{1,4}),([0-9a-f]*)$/i.exec(field);
  if (counted && counted[2].length === 2 * Number(counted[1])) {
    const bytes = Buffer.from(counted[2], 'hex');
    return bytes.length > 0 ? bytes : null;
  }
  const text = field.replaceAll('\\,', ',');
  return text === '' ? null : Buffer.from(text, 'utf8');
}

/** The medium's 12 hex digits with colons, as AT+QBLEADDR? prints them (§2.2.2). */
export function colonAddress(address: string): string {
  return address.match(/../g)!.join(':');
}

/** The module's BLE address: its Wi-Fi MAC + 1 (FIDELITY.md), as the medium spells it. */
export function bleAddressOf(mac: string): string {
  return offsetMac(mac, 1).replaceAll(':', '');
}
