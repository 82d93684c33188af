/** `datatype` (§2.3.1, FIDELITY.md): 0 = bytes as they are, 1 = two hex digits per byte. */

/** Data typed in an AT command; null when it is not valid hex. */
export function decodeData(text: string, datatype: number): Buffer | null {
  if (datatype === 0) return Buffer.from(text, 'utf8');
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) return null;
  return Buffer.from(text, 'hex');
}

/** Data for the host: raw bytes, or upper-case hex. */
export function encodeData(data: Buffer, datatype: number): Buffer {
  return datatype === 0 ? data : Buffer.from(data.toString('hex').toUpperCase(), 'latin1');
}
