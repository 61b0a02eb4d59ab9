import { randomBytes } from 'node:crypto';

/** Seeded PRNG (mulberry32) so timings and metrics are reproducible for a given seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    if (max <= min) return min;
    return Math.floor(min + this.next() * (max - min + 1));
  }

  range(r: readonly [number, number]): number {
    return this.between(r[0], r[1]);
  }

  hex(chars: number): string {
    let s = '';
    while (s.length < chars) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }

  alnum(chars: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    while (s.length < chars) s += alphabet[Math.floor(this.next() * alphabet.length)] ?? 'a';
    return s;
  }
}

/** Deterministic noise in [0,1) from a string key (used for metric samples). */
export function hashNoise(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return ((h >>> 0) % 100000) / 100000;
}

/** A Snowflake-style query id: 8-4-4-4-12 lower-case hex, starting with 01 like real ids. */
export function newQueryId(): string {
  const h = randomBytes(16).toString('hex');
  return `01${h.slice(0, 6)}-${h.slice(6, 10)}-${h.slice(10, 14)}-${h.slice(14, 18)}-${h.slice(18, 30)}`;
}

export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}
