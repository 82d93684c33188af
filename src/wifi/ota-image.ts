/**
 * The firmware image `AT+QWLANOTA=<URL>` (manual §2.1.8) downloads. The manual only says
 * "firmware package"; this format is ours (docs/ota.md):
 *
 *   FC41D-OTA 1\n
 *   version: <firmware version>\n
 *   size: <payload bytes, decimal>\n
 *   sha256: <hex of the payload>\n
 *   \n
 *   <exactly size bytes of payload, any bytes>
 *
 * The header is ASCII and fixed in order; the payload is opaque. A good image is self-checking:
 * the size and the SHA-256 catch truncation and corruption, the magic a foreign file.
 */
import { createHash } from 'node:crypto';

export const OTA_MAGIC = 'FC41D-OTA';
export const OTA_FORMAT_VERSION = 1;

/** Longer than any legal header (~150 bytes); bounds the search for the blank line. */
const MAX_HEADER_BYTES = 512;
/**
 * 1–64 printable ASCII, no space or comma: it is printed bare in `+QVERSION:<v>`. Real versions
 * carry a build suffix (`FC41DAAR03A09M02.bin_202406260343`, 33 characters; FIDELITY.md).
 */
export const MAX_VERSION_LENGTH = 64;
const FIRMWARE_VERSION = new RegExp(`^[\\x21-\\x2b\\x2d-\\x7e]{1,${MAX_VERSION_LENGTH}}$`);

export type OtaParseResult = { ok: true; version: string; payload: Buffer } | { ok: false; reason: string };

export function isFirmwareVersion(version: string): boolean {
  return FIRMWARE_VERSION.test(version);
}

/** Stand-in firmware when none is given: 4 KiB derived from the version, so images differ. */
export function defaultPayload(version: string): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update(`FC41D firmware ${version}`).digest();
  for (let i = 0; i < 128; i++) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks);
}

/** Throws a RangeError when the version does not look like a firmware version. */
export function buildOtaImage(version: string, payload: Buffer = defaultPayload(version)): Buffer {
  if (!isFirmwareVersion(version)) throw new RangeError(`bad firmware version ${JSON.stringify(version)}: 1-${MAX_VERSION_LENGTH} printable ASCII characters, no spaces or commas`);
  const sha = createHash('sha256').update(payload).digest('hex');
  const header = `${OTA_MAGIC} ${OTA_FORMAT_VERSION}\nversion: ${version}\nsize: ${payload.length}\nsha256: ${sha}\n\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), payload]);
}

export function parseOtaImage(bytes: Buffer): OtaParseResult {
  const fail = (reason: string): OtaParseResult => ({ ok: false, reason });
  // latin1 maps bytes 1:1, so binary junk cannot throw or shift offsets.
  const head = bytes.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  if (!head.startsWith(`${OTA_MAGIC} `)) return fail('not an FC41D image');
  const format = /^FC41D-OTA (\S*)\n/.exec(head);
  if (!format) return head.includes('\n') ? fail('not an FC41D image') : fail('truncated');
  if (format[1] !== String(OTA_FORMAT_VERSION)) return fail(`unsupported format version ${format[1].slice(0, 16)}`);

  const end = head.indexOf('\n\n');
  if (end < 0) return fail(bytes.length < MAX_HEADER_BYTES ? 'truncated' : 'bad header');
  const fields = /^FC41D-OTA 1\nversion: ([^\n]*)\nsize: ([^\n]*)\nsha256: ([^\n]*)$/.exec(head.slice(0, end));
  if (!fields) return fail('bad header');
  const [, version, sizeText, sha] = fields;
  if (!isFirmwareVersion(version)) return fail('bad version');
  if (!/^(0|[1-9]\d{0,14})$/.test(sizeText)) return fail('bad size');
  if (!/^[0-9a-fA-F]{64}$/.test(sha)) return fail('bad checksum field');

  const size = Number(sizeText);
  const payload = bytes.subarray(end + 2);
  if (payload.length < size) return fail('truncated');
  if (payload.length > size) return fail('size mismatch');
  if (createHash('sha256').update(payload).digest('hex') !== sha.toLowerCase()) return fail('checksum mismatch');
  return { ok: true, version, payload: Buffer.from(payload) };
}
