/**
 * The module's advertising packets (§2.2.4, §2.2.5): AD structures checked as the manual
 * describes them, and the defaults a module sends when the host sets none.
 */

/** §2.2.4: the interval unit (one timeslot) in ms; default 0x0800 (1.28 s). */
export const ADV_SLOT_MS = 0.625;
export const ADV_INTERVAL_MIN = 0x0020;
export const ADV_INTERVAL_MAX = 0x4000;
export const ADV_INTERVAL_DEFAULT = 0x0800;

/** An advertising packet's and a scan response's payload limit. */
export const AD_MAX_BYTES = 31;
/** §2.2.5: an AD structure's length byte covers its type and data: at most 0x1e. */
const AD_MAX_LENGTH = 0x1e;

const AD_FLAGS = 0x01;
const AD_SHORT_NAME = 0x08;
const AD_COMPLETE_NAME = 0x09;
/** LE General Discoverable, BR/EDR not supported. */
const FLAGS_GENERAL_LE_ONLY = 0x06;

/** Whether `data` is whole AD structures (each length 1–0x1e and inside the data), at most 31 bytes. */
export function validAdvData(data: Buffer): boolean {
  if (data.length === 0 || data.length > AD_MAX_BYTES) return false;
  let at = 0;
  while (at < data.length) {
    const length = data[at];
    if (length < 1 || length > AD_MAX_LENGTH || at + 1 + length > data.length) return false;
    at += 1 + length;
  }
  return true;
}

/** One AD structure carrying the name: complete when it fits in `room` bytes, else shortened. */
function nameStructure(name: string, room: number): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const fits = bytes.length + 2 <= room;
  const body = fits ? bytes : bytes.subarray(0, Math.max(0, room - 2));
  return Buffer.concat([Buffer.of(body.length + 1, fits ? AD_COMPLETE_NAME : AD_SHORT_NAME), body]);
}

/** The advertising data a module sends unless AT+QBLEADVDATA set other: flags, then the name. */
export function defaultAdvData(name: string): Buffer {
  const flags = Buffer.of(2, AD_FLAGS, FLAGS_GENERAL_LE_ONLY);
  return Buffer.concat([flags, nameStructure(name, AD_MAX_BYTES - flags.length)]);
}

/** The scan response always carries the name (at most 25 bytes: it always fits whole). */
export function scanResponse(name: string): Buffer {
  return nameStructure(name, AD_MAX_BYTES);
}
