/** Test rows for the integer ViT RTL tests: seeded random rows plus the extremes of the input range. */

/** xorshift32, seeded: reproducible rows without fast-check's runner. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Uniform integer in [lo, hi]. */
export function uniform(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/**
 * `count` random rows of `length` values in `bits` signed bits: half uniform over the
 * whole range, half clustered within ±spread of a random centre (where the ops are
 * not flushed to their floor values).
 */
export function randomRows(bits: number, length: number, count: number, spread: number, seed: number): number[][] {
  const next = rng(seed);
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    const centre = uniform(next, lo, hi);
    rows.push(Array.from({ length }, () => (r % 2 === 0 ? uniform(next, lo, hi) : Math.max(lo, Math.min(hi, centre + uniform(next, -spread, spread))))));
  }
  return rows;
}

/** The extremes: all-min, all-max, all-zero, constant, min beside max, alternating, one outlier each way. */
export function extremeRows(bits: number, length: number): number[][] {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  return [
    Array(length).fill(lo),
    Array(length).fill(hi),
    Array(length).fill(0),
    Array(length).fill(-1),
    Array.from({ length }, (_, i) => (i % 2 ? lo : hi)),
    Array.from({ length }, (_, i) => (i % 2 ? hi : lo)),
    Array.from({ length }, (_, i) => (i === length - 1 ? hi : lo)),
    Array.from({ length }, (_, i) => (i === 0 ? lo : hi)),
    Array.from({ length }, (_, i) => Math.max(lo, Math.min(hi, i - (length >> 1)))),
  ];
}
