import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;

/**
 * Uniform integers from the operating system's CSPRNG (`node:crypto`), never Math.random.
 * Bytes are drawn in pools of 4 KiB (one system call per pool), and every integer is made
 * by rejection sampling, so there is no modulo bias and no floating point at all.
 */
export class SecureRandom {
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private offset = POOL_BYTES;

  private take(bytes: number): number {
    if (this.offset + bytes > POOL_BYTES) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  /** A uniform integer in [0, n), for 1 ≤ n ≤ 2^53. */
  uniformBelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`uniformBelow(${n})`);
    if (n === 1) return 0;
    if (n <= TWO_32) {
      const limit = TWO_32 - (TWO_32 % n); // the largest multiple of n that fits: no bias
      for (;;) {
        const value = this.pool.readUInt32LE(this.take(4));
        if (value < limit) return value % n;
      }
    }
    const limit = TWO_53 - (TWO_53 % n);
    for (;;) {
      const at = this.take(7);
      const value = (this.pool.readUIntLE(at + 4, 3) & 0x1fffff) * TWO_32 + this.pool.readUInt32LE(at); // 53 bits, exact
      if (value < limit) return value % n;
    }
  }

  /** true with probability num/den exactly (0 ≤ num ≤ den). */
  bernoulli(num: number, den: number): boolean {
    return this.uniformBelow(den) < num;
  }
}

/** The process's noise source. */
export const secureRandom = new SecureRandom();
