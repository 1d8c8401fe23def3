/** The exact staircase requant (staircase.ts) on hand-worked staircases. */
import { describe, expect, it } from "vitest";
import { fitChannel, stepLevel, staircaseSteps } from "../../../src/frontend/onnx/staircase.js";

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
});
