/** Advertising packets: the local name in them, a default packet, and advertising event times. */

const AD_FLAGS = 0x01;
const AD_SHORT_NAME = 0x08;
const AD_COMPLETE_NAME = 0x09;

/** The AD structures of one packet as [type, value] pairs; a malformed tail is ignored. */
export function adStructures(packet: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let i = 0; i < packet.length; ) {
    const len = packet[i];
    if (len === 0 || i + 1 + len > packet.length) break;
    out.push([packet[i + 1], packet.subarray(i + 2, i + 1 + len)]);
    i += 1 + len;
  }
  return out;
}

/** The local name: complete (0x09), else shortened (0x08), from the advertising data, else the scan response; '' when none. */
export function adName(advData: Buffer, scanResponse: Buffer): string {
  for (const packet of [advData, scanResponse]) {
    const ads = adStructures(packet);
    const name = ads.find(([t]) => t === AD_COMPLETE_NAME) ?? ads.find(([t]) => t === AD_SHORT_NAME);
    if (name) return name[1].toString('utf8');
  }
  return '';
}

/** Flags (LE general discoverable, no BR/EDR) and the name, shortened (0x08) to fit 31 bytes. */
export function defaultAdvData(name: string): Buffer {
  const flags = Buffer.from([2, AD_FLAGS, 0x06]);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length === 0) return flags;
  const room = 31 - flags.length - 2;
  const type = bytes.length > room ? AD_SHORT_NAME : AD_COMPLETE_NAME;
  const value = bytes.subarray(0, room);
  return Buffer.concat([flags, Buffer.from([value.length + 1, type]), value]);
}

/**
 * The first event strictly after `now` of something that happens at `start`, `start + period`…
 * (advertising events, connection events). A period of 0 (timeScale 0): `now`.
 */
export function nextEventAt(start: number, period: number, now: number): number {
  if (period <= 0) return now;
  return start + period * (Math.floor((now - start) / period) + 1);
}
