/** The exact staircase requant (staircase.ts) on hand-worked staircases. */
import { describe, expect, it } from "vitest";
import { fitChannel, fitChannelFreeSlope, fitLayerFreeSlope, stepLevel, staircaseSteps } from "../../../src/frontend/onnx/staircase.js";

describe("staircase requant", () => {
  it("finds the steps of a monotone staircase", () => {
    // t = clamp(floor(acc / 3), 0, 3) on [−5, 20]: steps at 3, 6, 9
    const t = (a: number) => Math.min(3, Math.max(0, Math.floor(a / 3)));
    expect(staircaseSteps(t, -5, 20, 4)).toEqual([3, 6, 9]);
    // a level never reached: hi + 1; every value reaching it: lo
    expect(staircaseSteps(() => 1, 0, 10, 3)).toEqual([0, 11]);
  });

  it("reproduces a non-dyadic staircase exactly: round(acc·0.37 + 0.21) clipped to [0, 3]", () => {
    const real = (a: number) => Math.min(3, Math.max(0, Math.round(a * 0.37 + 0.21)));
    const lo = -20;
    const hi = 30;
    const steps = staircaseSteps(real, lo, hi, 4);
    // by hand: ≥ 1 from 0.37a + 0.21 ≥ 0.5 (a ≥ 0.78), ≥ 2 from a ≥ 3.49, ≥ 3 from a ≥ 6.19
    expect(steps).toEqual([1, 4, 7]);
    const shift = 20;
    const fit = fitChannel({ lo, hi, steps, period: 1 / 0.37 }, 4, shift);
    expect(fit.mismatches).toBe(0);
    for (let a = lo; a <= hi; a++) expect(stepLevel(a, fit, shift, 4), `acc ${a}`).toBe(real(a));
  });

  it("reports, rather than hides, a staircase a line cannot follow", () => {
    // steps 2 apart then 10 apart: no single slope
    const fit = fitChannel({ lo: 0, hi: 40, steps: [5, 7, 17], period: 6 }, 1, 16);
    expect(fit.mismatches).toBeGreaterThan(0);
  });

  it("free slope: the weights as they are (F = 1) with a line of its own, floor((acc + 3)·5/2^4), on round(0.37·acc + 0.21) clipped to [0, 3]", () => {
    const real = (a: number) => Math.min(3, Math.max(0, Math.round(a * 0.37 + 0.21)));
    const s = { lo: -20, hi: 30, steps: [1, 4, 7], period: 1 / 0.37 };
    // by hand: steps 1, 4, 7 need u = 2^k/m ∈ ((B + T_j − 1)/j, (B + T_j)/j] for j = 1, 2, 3:
    // B = 3: u ∈ (3, 10/3] → m ∈ [2^k·0.3, 2^k/3): k = 4 gives m = 5 (k ≤ 3 has no integer there);
    // B = 2: u ∈ (8/3, 3] → first k = 5; B = 1 and B = 4: empty
    const got = fitChannelFreeSlope(s, 1, 16);
    expect(got).toEqual({ fit: { weightFactor: 1, bias: 3, multiplier: 5, mismatches: 0 }, shift: 4 });
    for (let a = s.lo; a <= s.hi; a++) expect(stepLevel(a, got!.fit, got!.shift, 4), `acc ${a}`).toBe(real(a));
  });

  it("free slope refuses a staircase no line follows, and a layer takes the largest shift its channels need", () => {
    // steps 2 apart then 10 apart: the pairs want u ∈ (1, 3) and u ∈ (9, 11)
    expect(fitChannelFreeSlope({ lo: 0, hi: 40, steps: [5, 7, 17], period: 6 }, 1, 16)).toBeUndefined();
    const a = { lo: -20, hi: 30, steps: [1, 4, 7], period: 1 / 0.37 }; // k = 4, m = 5 (above)
    const b = { lo: 0, hi: 10, steps: [4], period: 4 }; // one step: floor((acc − 3)·1) ≥ 1 ⇔ acc ≥ 4, k = 0
    const layer = fitLayerFreeSlope([a, undefined, b], 1, 16)!;
    expect(layer.shift).toBe(4);
    expect(layer.fits[1]).toBeUndefined();
    // b at k = 4: the multiplier doubled four times, same levels
    for (let x = b.lo; x <= b.hi; x++) expect(stepLevel(x, layer.fits[2]!, 4, 2), `acc ${x}`).toBe(x >= 4 ? 1 : 0);
    for (let x = a.lo; x <= a.hi; x++) expect(stepLevel(x, layer.fits[0]!, 4, 4)).toBe(Math.min(3, Math.max(0, Math.round(x * 0.37 + 0.21))));
  });
});
