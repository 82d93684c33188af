/**
 * The `uart-noise` fault on one direction of a module's UART: each byte is, at the fault's rate,
 * dropped or given one random bit flipped (`mode` both: either, half and half). The bytes that
 * pass come back as a new buffer; the caller's is never changed.
 */
import type { FaultSet } from './faults.ts';

export type UartDirection = 'to-module' | 'to-host';

export function uartNoise(faults: FaultSet, module: string, direction: UartDirection, bytes: Buffer): Buffer {
  const fault = faults.find('uart-noise', { module });
  if (!fault || (fault.direction !== 'both' && fault.direction !== direction)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  let hits = 0;
  for (const byte of bytes) {
    if (!faults.chance(fault.rate)) {
      out[n++] = byte;
      continue;
    }
    hits++;
    const drop = fault.mode === 'drop' || (fault.mode === 'both' && faults.chance(0.5));
    if (!drop) out[n++] = byte ^ (1 << randomBit(faults));
  }
  if (hits > 0) faults.hit(fault, hits, { module });
  return out.subarray(0, n);
}

/** 0–7 from the set's random source (so a seeded set flips the same bits). */
function randomBit(faults: FaultSet): number {
  return Math.min(7, Math.floor(faults.random() * 8));
}
