/**
 * The bytes of the HTTP test service's `/bytes/<n>` and `/range/<n>` (httpbin.ts): a seeded,
 * counter-based pseudo-random stream, so any slice is made without the bytes before it and the
 * same seed always gives the same bytes (`/range/<n>` with `Range: bytes=a-b` is exactly
 * `/bytes/<n>`'s bytes a…b), and the parsing of a `Range` header (RFC 9110 §14).
 */

/** The first MiB of seed 0's stream, made once: what tests and the bench ask for most. */
const CACHED = 1024 * 1024;
let cache: Buffer | undefined;

/**
 * Bytes a…a+length-1 of the stream for `seed`. Each 4-byte word is a hash of its index. Do not
 * modify the result: it may be a view of the cache.
 */
export function seededBytes(seed: number, offset: number, length: number): Buffer {
  if (seed === 0 && offset + length <= CACHED) {
    cache ??= makeBytes(0, 0, CACHED);
    return cache.subarray(offset, offset + length);
  }
  return makeBytes(seed, offset, length);
}

function makeBytes(seed: number, offset: number, length: number): Buffer {
  const first = Math.floor(offset / 4);
  const words = Math.ceil((offset + length) / 4) - first;
  const out = Buffer.allocUnsafe(words * 4);
  for (let i = 0; i < words; i++) out.writeUInt32LE(word(seed, first + i), i * 4);
  const skip = offset - first * 4;
  return out.subarray(skip, skip + length);
}

/** lowbias32 (C. Wellons) of the word's index mixed with the seed. */
function word(seed: number, index: number): number {
  let x = (Math.imul(index, 0x9e3779b9) + seed) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export type RangeRequest =
  /** No Range header, or one this server ignores (bad syntax, several ranges): the whole body, 200. */
  | { kind: 'whole' }
  /** Nothing of the body in the range: 416. */
  | { kind: 'unsatisfiable' }
  /** Bytes start…end (inclusive), 206. */
  | { kind: 'part'; start: number; end: number };

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-suffix` range of a body of `size` bytes. A header that
 * is not one valid byte range is ignored (RFC 9110 section 14.2 lets a server ignore Range); an end
 * beyond the body is cut to its last byte (RFC 9110 section 14.1.2).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return { kind: 'whole' }; // invalid (RFC 9110 section 14.1.1): ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
