/**
 * Integer square roots for I-LayerNorm, docs/integer-ops.md §5:
 * - `newtonSqrt`: the iteration §5 prescribes (k = 2^16, ten times
 *   k = floor((k + floor(v/k)) / 2)), bit for bit — what I-LayerNorm uses.
 * - `isqrtFloor`: the exact floor(sqrt(v)), by the digit-by-digit (restoring)
 *   method, for any v ≥ 0.
 * The two differ: ten iterations from 2^16 do not reach floor(sqrt(v)) for small v
 * (v = 0 gives 64, as §5 notes; the last v < 2^32 where the result is neither
 * floor(sqrt(v)) nor the Newton 2-cycle value floor(sqrt(v)) + 1 is 142,882), and
 * for v = s² + 2s the fixed count can end on s + 1. Tests state both facts.
 */

/** §5 constants. */
export const NEWTON_START = 2 ** 16;
export const NEWTON_ITERATIONS = 10;
/**
 * [ours] The most Newton steps an I-LayerNorm may take (§5 allows the count to be raised
 * and recorded in the IR): from 2^16 every iterate stays ≥ 2^16 >> steps, so up to 16
 * steps the iterate, the divisor of the next step and std stay ≥ 1 even for var = 0
 * (a 17th step would make it 0). 16 is also the least count that ends within
 * {floor(sqrt v), floor(sqrt v) + 1} for every 0 ≤ v < 2^32 (15 for every v ≥ 1;
 * test/arith/ivit/isqrt.test.ts).
 */
export const NEWTON_ITERATIONS_MAX = 16;

/**
 * §5's integer Newton iteration for v ≥ 0. Each iterate is ≥ floor(sqrt(v))
 * (AM–GM: floor((k + floor(v/k))/2) = floor((k + v/k)/2) ≥ floor(sqrt v)), and for
 * v < 2^32 it never grows above the start (k ≥ sqrt(v) implies v/k ≤ k), nor falls
 * below start/2^iterations (each step is ≥ floor(k/2)). Plain numbers are exact.
 */
export function newtonSqrt(v: number, start = NEWTON_START, iterations = NEWTON_ITERATIONS): number {
  let k = start;
  for (let i = 0; i < iterations; i++) k = Math.floor((k + Math.floor(v / k)) / 2);
  return k;
}

/**
 * floor(sqrt(v)) for an integer v ≥ 0 of any size: restoring square root, two bits
 * of v per step, the same recurrence a shift-and-subtract circuit runs.
 */
export function isqrtFloor(v: bigint): bigint {
  if (v < 0n) throw new RangeError(`isqrtFloor: negative argument ${v}`);
  let bit = 1n;
  while (bit <= v >> 2n) bit <<= 2n; // the largest power of 4 ≤ v
  let rem = v;
  let root = 0n;
  for (; bit > 0n; bit >>= 2n) {
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1n) + bit;
    } else {
      root >>= 1n;
    }
  }
  return root;
}
