/**
 * Seeded randomness for repeatable runs (`fc41d test --seed N`): every random choice the emulator
 * makes (fault chances, multipart boundaries, ports a scenario picks, …) draws from one of these
 * instead of Math.random when a seed is given.
 */

/** A source of numbers in [0, 1), as Math.random. */
export type Random = () => number;

/** mulberry32: small, fast, and the same sequence for the same 32-bit seed on every machine. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded stream for one purpose (`derivedRandom(seed, 'ports')`): independent of how much others draw. */
export function derivedRandom(seed: number, purpose: string): Random {
  let h = seed >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  return seededRandom(h);
}

/** An integer in [min, max] from `random`. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
