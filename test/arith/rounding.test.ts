/**
 * round_k and sat_b — docs/integer-ops.md §1.
 * The table values are worked by hand (the real quotient is in the comment);
 * the property tests compare the three implementations in src against each
 * other and against an independent rational reference written here.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  ROUNDING_MODES,
  RoundingMode,
  roundHalfEvenDivBig,
  roundShift,
  roundShiftBig,
  roundShiftByAddend,
  saturate,
  saturateUnsigned,
} from "../../src/arith/rounding.js";

/** [v, k, floor, half_up, half_away, half_even] — v / 2^k in the comment. */
type Row = readonly [v: number, k: number, floor: number, halfUp: number, halfAway: number, halfEven: number];
const TABLE: readonly Row[] = [
  // k = 0: every mode is the identity
  [0, 0, 0, 0, 0, 0],
  [7, 0, 7, 7, 7, 7],
  [-7, 0, -7, -7, -7, -7],
  [123456789, 0, 123456789, 123456789, 123456789, 123456789],
  // k = 1
  [4, 1, 2, 2, 2, 2], // 2
  [-4, 1, -2, -2, -2, -2], // -2
  [1, 1, 0, 1, 1, 0], // 0.5 tie
  [-1, 1, -1, 0, -1, 0], // -0.5 tie
  [5, 1, 2, 3, 3, 2], // 2.5 tie
  [-5, 1, -3, -2, -3, -2], // -2.5 tie
  [7, 1, 3, 4, 4, 4], // 3.5 tie
  [-7, 1, -4, -3, -4, -4], // -3.5 tie
  // k = 2
  [6, 2, 1, 2, 2, 2], // 1.5 tie
  [-6, 2, -2, -1, -2, -2], // -1.5 tie
  [10, 2, 2, 3, 3, 2], // 2.5 tie
  [-10, 2, -3, -2, -3, -2], // -2.5 tie
  [2, 2, 0, 1, 1, 0], // 0.5 tie
  [-2, 2, -1, 0, -1, 0], // -0.5 tie
  [5, 2, 1, 1, 1, 1], // 1.25
  [-5, 2, -2, -1, -1, -1], // -1.25
  [7, 2, 1, 2, 2, 2], // 1.75
  [-7, 2, -2, -2, -2, -2], // -1.75
  [1, 2, 0, 0, 0, 0], // 0.25
  [-1, 2, -1, 0, 0, 0], // -0.25
  [3, 2, 0, 1, 1, 1], // 0.75
  [-3, 2, -1, -1, -1, -1], // -0.75
  [8, 2, 2, 2, 2, 2], // 2
  [-8, 2, -2, -2, -2, -2], // -2
  // k = 3
  [12, 3, 1, 2, 2, 2], // 1.5 tie
  [-12, 3, -2, -1, -2, -2], // -1.5 tie
  [20, 3, 2, 3, 3, 2], // 2.5 tie
  [-20, 3, -3, -2, -3, -2], // -2.5 tie
  [4, 3, 0, 1, 1, 0], // 0.5 tie
  [-4, 3, -1, 0, -1, 0], // -0.5 tie
  [11, 3, 1, 1, 1, 1], // 1.375
  [-11, 3, -2, -1, -1, -1], // -1.375
  [13, 3, 1, 2, 2, 2], // 1.625
  [-13, 3, -2, -2, -2, -2], // -1.625
  [3, 3, 0, 0, 0, 0], // 0.375
  [-3, 3, -1, 0, 0, 0], // -0.375
  [5, 3, 0, 1, 1, 1], // 0.625
  [-5, 3, -1, -1, -1, -1], // -0.625
  [-1, 3, -1, 0, 0, 0], // -0.125
  [7, 3, 0, 1, 1, 1], // 0.875
  [-7, 3, -1, -1, -1, -1], // -0.875
  [-16, 3, -2, -2, -2, -2], // -2
  // larger magnitudes
  [1000, 3, 125, 125, 125, 125], // 125
  [1001, 3, 125, 125, 125, 125], // 125.125
  [1004, 3, 125, 126, 126, 126], // 125.5 tie, 125 odd
  [-1004, 3, -126, -125, -126, -126], // -125.5 tie
  [1012, 3, 126, 127, 127, 126], // 126.5 tie, 126 even
  [-1012, 3, -127, -126, -127, -126], // -126.5 tie
];

const MODE_COLUMN: Record<RoundingMode, 2 | 3 | 4 | 5> = { floor: 2, half_up: 3, half_away: 4, half_even: 5 };

/** Compares numerically: roundShift may return -0 for a negative value that rounds to 0 (−0 == 0 as an integer). */
const int = (v: number): number => (v === 0 ? 0 : v);

describe("round_k on a hand-worked table (docs/integer-ops.md §1)", () => {
  for (const mode of ROUNDING_MODES) {
    test.each(TABLE.map((row) => [row[0], row[1], row[MODE_COLUMN[mode]]] as const))(`${mode}: roundShift(%i, %i) = %i`, (v, k, expected) => {
      expect(int(roundShift(v, k, mode))).toBe(expected);
      expect(roundShiftBig(BigInt(v), k, mode)).toBe(BigInt(expected));
      expect(roundShiftByAddend(BigInt(v), k, mode)).toBe(BigInt(expected));
    });
  }

  test("the table covers every mode with k = 0…3, positive and negative ties and non-ties", () => {
    for (const k of [0, 1, 2, 3]) {
      const rows = TABLE.filter((r) => r[1] === k);
      expect(rows.some((r) => r[0] > 0)).toBe(true);
      expect(rows.some((r) => r[0] < 0)).toBe(true);
      if (k > 0) {
        const half = 2 ** (k - 1);
        const isTie = (v: number) => ((v % 2 ** k) + 2 ** k) % 2 ** k === half;
        expect(rows.some((r) => r[0] > 0 && isTie(r[0]))).toBe(true);
        expect(rows.some((r) => r[0] < 0 && isTie(r[0]))).toBe(true);
      }
      if (k > 1) {
        // with k = 1 every non-multiple of 2 is a tie
        const isTie = (v: number) => ((v % 2 ** k) + 2 ** k) % 2 ** k === 2 ** (k - 1);
        expect(rows.some((r) => r[0] > 0 && !isTie(r[0]) && r[0] % 2 ** k !== 0)).toBe(true);
        expect(rows.some((r) => r[0] < 0 && !isTie(r[0]) && r[0] % 2 ** k !== 0)).toBe(true);
      }
    }
  });

  test("round_k at the edge of the safe-integer range (k = 1, 2, 62)", () => {
    const max = Number.MAX_SAFE_INTEGER; // 2^53 − 1
    // (2^53 − 1) / 2 = 2^52 − 0.5: a tie
    expect(roundShift(max, 1, "floor")).toBe(2 ** 52 - 1);
    expect(roundShift(max, 1, "half_up")).toBe(2 ** 52);
    expect(roundShift(max, 1, "half_away")).toBe(2 ** 52);
    expect(roundShift(max, 1, "half_even")).toBe(2 ** 52); // 2^52 − 1 is odd
    expect(roundShift(-max, 1, "floor")).toBe(-(2 ** 52));
    expect(roundShift(-max, 1, "half_up")).toBe(-(2 ** 52) + 1);
    expect(roundShift(-max, 1, "half_away")).toBe(-(2 ** 52));
    expect(roundShift(-max, 1, "half_even")).toBe(-(2 ** 52));
    // (2^53 − 1) / 4 = 2^51 − 0.25
    expect(roundShift(max, 2, "floor")).toBe(2 ** 51 - 1);
    expect(roundShift(max, 2, "half_away")).toBe(2 ** 51);
    expect(roundShift(-max, 2, "half_away")).toBe(-(2 ** 51));
    // ±(2^53 − 1) / 2^62 ≈ ±0.00195: 0 except floor of a negative
    for (const mode of ["half_up", "half_away", "half_even"] as const) {
      expect(int(roundShift(max, 62, mode))).toBe(0);
      expect(int(roundShift(-max, 62, mode))).toBe(0);
    }
    expect(roundShift(max, 62, "floor")).toBe(0);
    expect(roundShift(-max, 62, "floor")).toBe(-1);
  });

  test("half_away of ±(2^53 − 1) / 2^54 (just below −0.5 … 0.5) is 0, not ±1", () => {
    // (2^53 − 1) / 2^54 = 0.5 − 2^−54: below the tie, so every rounding mode but floor gives 0.
    const max = Number.MAX_SAFE_INTEGER;
    for (const mode of ["half_up", "half_away", "half_even"] as const) {
      expect(int(roundShift(max, 54, mode)), `${mode} +`).toBe(0);
      expect(int(roundShift(-max, 54, mode)), `${mode} −`).toBe(0);
    }
    expect(roundShift(max, 54, "floor")).toBe(0);
    expect(roundShift(-max, 54, "floor")).toBe(-1);
  });
});

/**
 * Independent reference: v = q·2^k + r with 0 ≤ r < 2^k (q = floor), then decide
 * by comparing 2r with 2^k (the fractional part with 1/2), exactly, in BigInt.
 */
function referenceRound(v: bigint, k: number, mode: RoundingMode): bigint {
  const p = 1n << BigInt(k);
  const r = ((v % p) + p) % p;
  const q = (v - r) / p; // exact: v − r is a multiple of p
  const twice = 2n * r;
  if (mode === "floor") return q;
  if (twice < p) return q; // fraction < 1/2
  if (twice > p) return q + 1n; // fraction > 1/2
  // exactly half
  switch (mode) {
    case "half_up":
      return q + 1n;
    case "half_away":
      return v > 0n ? q + 1n : q; // q = floor is already away from zero for v < 0
    case "half_even":
      return q % 2n === 0n ? q : q + 1n;
  }
}

const modeArb = fc.constantFrom(...ROUNDING_MODES);
/** Safe integers, with small values (many ties at small k) and the extremes well represented. */
const safeIntArb = fc.oneof(
  fc.integer({ min: -1024, max: 1024 }),
  fc.maxSafeInteger(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, 1, -1),
);
/** Values at and next to a tie: q·2^k + 2^(k−1) + d, d ∈ {−1, 0, 1}, kept safe. */
const nearTieArb = fc
  .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: -(2 ** 12), max: 2 ** 12 }), fc.integer({ min: -1, max: 1 }))
  .map(([k, q, d]) => ({ k, v: q * 2 ** k + 2 ** (k - 1) + d }));

describe("round_k implementations agree (properties)", () => {
  test("roundShift equals roundShiftBig on random safe integers, k = 0…62", () => {
    fc.assert(
      fc.property(safeIntArb, fc.integer({ min: 0, max: 62 }), modeArb, (v, k, mode) => {
        expect(int(roundShift(v, k, mode))).toBe(Number(roundShiftBig(BigInt(v), k, mode)));
      }),
      { numRuns: 2000 },
    );
  });

  test("roundShift equals roundShiftBig next to ties", () => {
    fc.assert(
      fc.property(nearTieArb, modeArb, ({ v, k }, mode) => {
        expect(int(roundShift(v, k, mode))).toBe(Number(roundShiftBig(BigInt(v), k, mode)));
      }),
      { numRuns: 1000 },
    );
  });

  test("the hardware addend form roundShiftByAddend equals roundShiftBig, k = 0…40", () => {
    const bigArb = fc.oneof(
      fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }),
      fc.bigInt({ min: -4096n, max: 4096n }),
      nearTieArb.map(({ v }) => BigInt(v)),
    );
    fc.assert(
      fc.property(bigArb, fc.integer({ min: 0, max: 40 }), modeArb, (v, k, mode) => {
        expect(roundShiftByAddend(v, k, mode)).toBe(roundShiftBig(v, k, mode));
      }),
      { numRuns: 3000 },
    );
  });

  test("the addend form at exact ties, both signs, k = 1…40", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.bigInt({ min: -(1n << 50n), max: 1n << 50n }), modeArb, (k, q, mode) => {
        const v = q * (1n << BigInt(k)) + (1n << BigInt(k - 1));
        expect(roundShiftByAddend(v, k, mode)).toBe(referenceRound(v, k, mode));
        expect(roundShiftBig(v, k, mode)).toBe(referenceRound(v, k, mode));
      }),
      { numRuns: 1000 },
    );
  });

  test("roundShift equals an independent rational reference (2·remainder vs 2^k)", () => {
    fc.assert(
      fc.property(safeIntArb, fc.integer({ min: 0, max: 62 }), modeArb, (v, k, mode) => {
        expect(int(roundShift(v, k, mode))).toBe(Number(referenceRound(BigInt(v), k, mode)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(nearTieArb, modeArb, ({ v, k }, mode) => {
        expect(int(roundShift(v, k, mode))).toBe(Number(referenceRound(BigInt(v), k, mode)));
      }),
      { numRuns: 1000 },
    );
  });

  test("roundShiftBig equals the rational reference on wide BigInts, k = 0…100", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 120n), max: 1n << 120n }), fc.integer({ min: 0, max: 100 }), modeArb, (v, k, mode) => {
        expect(roundShiftBig(v, k, mode)).toBe(referenceRound(v, k, mode));
      }),
      { numRuns: 1000 },
    );
  });

  test("the reference itself reproduces the hand table", () => {
    for (const row of TABLE) {
      for (const mode of ROUNDING_MODES) {
        expect(referenceRound(BigInt(row[0]), row[1], mode)).toBe(BigInt(row[MODE_COLUMN[mode]]));
      }
    }
  });
});

describe("sat_b and usat_b (docs/integer-ops.md §1)", () => {
  test.each([
    // [v, bits, sat_b(v)]
    [0, 8, 0],
    [-5, 8, -5],
    [126, 8, 126],
    [127, 8, 127],
    [128, 8, 127],
    [1000, 8, 127],
    [-127, 8, -127],
    [-128, 8, -128],
    [-129, 8, -128],
    [-1000, 8, -128],
    [12345, 16, 12345],
    [32767, 16, 32767],
    [32768, 16, 32767],
    [1e9, 16, 32767],
    [-32768, 16, -32768],
    [-32769, 16, -32768],
    [-1e9, 16, -32768],
    [200, 16, 200],
    [-200, 16, -200],
  ] as const)("saturate(%d, %d) = %d", (v, bits, expected) => {
    expect(saturate(v, bits)).toBe(expected);
  });

  test.each([
    // [v, bits, usat_b(v)]
    [0, 8, 0],
    [100, 8, 100],
    [255, 8, 255],
    [256, 8, 255],
    [-1, 8, 0],
    [-128, 8, 0],
    [300, 16, 300],
    [65535, 16, 65535],
    [65536, 16, 65535],
    [-70000, 16, 0],
  ] as const)("saturateUnsigned(%d, %d) = %d", (v, bits, expected) => {
    expect(saturateUnsigned(v, bits)).toBe(expected);
  });
});

describe("roundHalfEvenDivBig", () => {
  test.each([
    // n / d by hand: ties go to the even neighbour, of either sign
    [5n, 2n, 2n],
    [7n, 2n, 4n],
    [-5n, 2n, -2n],
    [-7n, 2n, -4n],
    [10n, 4n, 2n],
    [14n, 4n, 4n],
    [7n, 3n, 2n],
    [8n, 3n, 3n],
    [-8n, 3n, -3n],
    [0n, 7n, 0n],
  ] as const)("round_half_even(%d / %d) = %d", (n, d, expected) => {
    expect(roundHalfEvenDivBig(n, d)).toBe(expected);
  });

  test("equals roundShiftBig half_even wherever d is a power of two", () => {
    for (let k = 0; k <= 6; k++)
      for (let v = -300; v <= 300; v++) expect(roundHalfEvenDivBig(BigInt(v), 1n << BigInt(k))).toBe(roundShiftBig(BigInt(v), k, "half_even"));
  });
});
