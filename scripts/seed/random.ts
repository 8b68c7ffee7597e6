/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same sequence on every
 * machine and Node version, which is what makes the demo catalog reproducible byte for byte.
 * Not for anything secret.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next 32 random bits as an unsigned integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** `count` distinct items, in the order they have in `items`. */
  sample<T>(items: readonly T[], count: number): T[] {
    const indexes = items.map((_, index) => index);
    for (let i = indexes.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [indexes[i], indexes[j]] = [indexes[j], indexes[i]];
    }
    return indexes
      .slice(0, count)
      .sort((a, b) => a - b)
      .map((index) => items[index]);
  }

  /**
   * A UUIDv7-shaped id for the given Unix time in milliseconds: 48-bit timestamp, version 7,
   * variant 10xx, the remaining 74 bits from this source. Ids made at increasing times sort in
   * that order, as the app's own UUIDv7 ids do ("newest" is the id order).
   */
  uuidV7(unixMs: number): string {
    const time = unixMs.toString(16).padStart(12, '0');
    const a = this.uint32();
    const b = this.uint32();
    const c = this.uint32();
    const randA = (a >>> 20).toString(16).padStart(3, '0'); // 12 bits
    const variant = (0x8 | ((a >>> 18) & 0x3)).toString(16); // 10xx
    const randB = (a & 0xfff).toString(16).padStart(3, '0');
    const tail = b.toString(16).padStart(8, '0') + (c >>> 16).toString(16).padStart(4, '0');
    return `${time.slice(0, 8)}-${time.slice(8)}-7${randA}-${variant}${randB}-${tail}`;
  }
}
