/**
 * Bit widths, always computed from value ranges (docs/design.md "Number semantics").
 * Ranges are BigInt so that products of wide accumulators and multipliers are exact.
 */
export interface IntRange {
  readonly lo: bigint;
  readonly hi: bigint;
}

/** Smallest b such that [lo, hi] fits in b-bit two's complement (at least 1). */
export function signedBitsFor(range: IntRange): number {
  let bits = 1;
  while (-(1n << BigInt(bits - 1)) > range.lo || (1n << BigInt(bits - 1)) - 1n < range.hi) bits++;
  return bits;
}

/** Smallest b such that [0, hi] fits unsigned in b bits (at least 1). */
export function unsignedBitsFor(hi: bigint | number): number {
  const h = BigInt(hi);
  let bits = 1;
  while ((1n << BigInt(bits)) - 1n < h) bits++;
  return bits;
}

/** Bits of a counter that runs 0 … count−1 (at least 1). */
export function counterBits(count: number): number {
  return unsignedBitsFor(Math.max(0, count - 1));
}

export function signedRange(bits: number): IntRange {
  return { lo: -(1n << BigInt(bits - 1)), hi: (1n << BigInt(bits - 1)) - 1n };
}

export function addRanges(a: IntRange, b: IntRange): IntRange {
  return { lo: a.lo + b.lo, hi: a.hi + b.hi };
}

export function scaleRange(a: IntRange, count: number): IntRange {
  const c = BigInt(count);
  return { lo: a.lo * c, hi: a.hi * c };
}

export function mulRanges(a: IntRange, b: IntRange): IntRange {
  const p = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  return { lo: p.reduce((x, y) => (y < x ? y : x)), hi: p.reduce((x, y) => (y > x ? y : x)) };
}

export function unionRanges(a: IntRange, b: IntRange): IntRange {
  return { lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi > b.hi ? a.hi : b.hi };
}

export function pointRange(v: bigint | number): IntRange {
  return { lo: BigInt(v), hi: BigInt(v) };
}

export function rangeOfValues(values: ArrayLike<number>): IntRange {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return { lo: BigInt(lo), hi: BigInt(hi) };
}
