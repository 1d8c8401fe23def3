import { describe, expect, test } from "vitest";
import { dominates, paretoFront, type Objective } from "../../src/flows/pareto.js";

interface P {
  readonly name: string;
  readonly fps: number;
  readonly lut: number;
  readonly fits?: boolean;
}
const FPS: Objective<P> = { value: (p) => p.fps, better: "higher" };
const LUT: Objective<P> = { value: (p) => p.lut, better: "lower" };

describe("Pareto front", () => {
  test("frames/s up, LUT down: the hand-computed front of six points", () => {
    // by hand: a (100, 10) and c (300, 40) and e (400, 80) are not beaten on both axes;
    // b (90, 20) is beaten by a (more fps, fewer LUT); d (250, 50) by c; f (400, 90) by e (same fps, fewer LUT)
    const points: P[] = [
      { name: "a", fps: 100, lut: 10 },
      { name: "b", fps: 90, lut: 20 },
      { name: "c", fps: 300, lut: 40 },
      { name: "d", fps: 250, lut: 50 },
      { name: "e", fps: 400, lut: 80 },
      { name: "f", fps: 400, lut: 90 },
    ];
    const front = paretoFront(points, [FPS, LUT]);
    expect(points.filter((_, i) => front[i]).map((p) => p.name)).toEqual(["a", "c", "e"]);
  });

  test("equal points are both on the front; a point does not dominate its twin", () => {
    const twins: P[] = [
      { name: "x", fps: 5, lut: 5 },
      { name: "y", fps: 5, lut: 5 },
    ];
    expect(dominates(twins[0], twins[1], [FPS, LUT])).toBe(false);
    expect(paretoFront(twins, [FPS, LUT])).toEqual([true, true]);
  });

  test("a point that is not eligible (does not fit) is off the front and beats nothing", () => {
    // g would dominate h, but g does not fit: h stays on the front
    const points: P[] = [
      { name: "g", fps: 1000, lut: 1, fits: false },
      { name: "h", fps: 10, lut: 100, fits: true },
    ];
    expect(paretoFront(points, [FPS, LUT], (p) => p.fits === true)).toEqual([false, true]);
  });

  test("three objectives: a point cheapest in one cost stays on the front", () => {
    const POWER: Objective<P & { w: number }> = { value: (p) => p.w, better: "lower" };
    const pts = [
      { name: "p", fps: 10, lut: 100, w: 1 },
      { name: "q", fps: 10, lut: 50, w: 2 },
      { name: "r", fps: 10, lut: 60, w: 2 },
    ];
    // p has the least power, q the fewest LUT; r is beaten by q (same fps and power, more LUT)
    expect(paretoFront(pts, [FPS, LUT, POWER])).toEqual([true, true, false]);
  });

  test("a missing value (accuracy of a rebuild): compared with its own kind only", () => {
    const ACC: Objective<P & { acc?: number }> = { value: (p) => p.acc, better: "higher" };
    const pts = [
      { name: "own-fast", fps: 10, lut: 100, acc: 0.99 },
      { name: "own-slow", fps: 5, lut: 100, acc: 0.99 },
      { name: "rebuild-cheap", fps: 10, lut: 50 },
      { name: "own-accurate", fps: 5, lut: 200, acc: 0.995 },
      { name: "rebuild-dear", fps: 10, lut: 80 },
    ];
    // own-slow: beaten by own-fast (fps, same LUT and accuracy). own-accurate: the only 99.5 %, and the rebuilds
    // cannot be shown as accurate, so their fps and LUT do not beat it. rebuild-dear: beaten by rebuild-cheap
    // (both without accuracy: compared on fps and LUT)
    expect(paretoFront(pts, [FPS, LUT, ACC])).toEqual([true, false, true, true, false]);
    expect(dominates(pts[2], pts[0], [FPS, LUT, ACC])).toBe(false);
    expect(dominates(pts[0], pts[2], [FPS, LUT, ACC])).toBe(false);
    expect(dominates(pts[2], pts[4], [FPS, LUT, ACC])).toBe(true);
  });
});
