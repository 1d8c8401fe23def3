/** Where each data value goes in the model's HWC input: inferred from the shapes, or --layout. */
import { describe, expect, test } from "vitest";
import { sampleLayout } from "../../../src/frontend/data/layout.js";
import type { DataArray } from "../../../src/frontend/data/array.js";
import { QuantrtlError } from "../../../src/util/errors.js";

const arr = (shape: number[]): DataArray => ({ file: "d.npy", name: "x", shape, type: "float32", data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
const t = (height: number, width: number, channels: number) => ({ height, width, channels, bits: 8 });

describe("sample layout", () => {
  test("NCHW [C, H, W] samples map HWC position (h, w, c) to c·H·W + h·W + w (2×3×2 by hand)", () => {
    const l = sampleLayout(arr([4, 2, 2, 3]), t(2, 3, 2), undefined);
    expect(l.name).toBe("NCHW");
    // HWC order: (0,0,0) (0,0,1) (0,1,0) (0,1,1) … ; CHW index c*6 + h*3 + w
    expect(Array.from(l.sourceOf!)).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
  });

  test("NHWC samples, one-channel [H, W] samples and flat one-channel samples need no reordering", () => {
    expect(sampleLayout(arr([1, 2, 3, 2]), t(2, 3, 2), undefined)).toEqual({ name: "NHWC" });
    expect(sampleLayout(arr([1, 28, 28]), t(28, 28, 1), undefined)).toEqual({ name: "NHW" });
    expect(sampleLayout(arr([1, 784]), t(28, 28, 1), undefined)).toEqual({ name: "flat" });
    // a vector input (1×1×K) takes any sample with K values in C order
    expect(sampleLayout(arr([1, 1, 28, 28]), t(1, 1, 784), undefined).sourceOf).toBeUndefined();
  });

  test("ambiguous shapes ask for --layout; --layout settles them; a --layout the shape contradicts is refused", () => {
    expect(() => sampleLayout(arr([1, 3, 3, 3]), t(3, 3, 3), undefined)).toThrow(/--layout nchw or --layout nhwc/);
    expect(() => sampleLayout(arr([1, 12]), t(2, 3, 2), undefined)).toThrow(/CHW or HWC/);
    expect(sampleLayout(arr([1, 3, 3, 3]), t(3, 3, 3), "nhwc").sourceOf).toBeUndefined();
    expect(sampleLayout(arr([1, 3, 3, 3]), t(3, 3, 3), "nchw").sourceOf![1]).toBe(9);
    expect(sampleLayout(arr([1, 12]), t(2, 3, 2), "nchw").sourceOf![1]).toBe(6);
    expect(() => sampleLayout(arr([1, 2, 3, 2]), t(2, 3, 2), "nchw")).toThrow(QuantrtlError);
  });

  test("a sample size or axes that do not fit are refused with the shapes that would", () => {
    expect(() => sampleLayout(arr([5]), t(28, 28, 1), undefined)).toThrow(/no sample axis/);
    expect(() => sampleLayout(arr([1, 3, 28, 28]), t(28, 28, 1), undefined)).toThrow(/2352 values per sample, the model takes 784/);
    expect(() => sampleLayout(arr([1, 14, 56]), t(28, 28, 1), undefined)).toThrow(/axes do not match/);
  });
});

describe("vector inputs", () => {
  test("a multi-channel image for a 1×1×K input is refused: its flatten order is not known", () => {
    expect(() => sampleLayout(arr([1, 3, 4, 4]), t(1, 1, 48), undefined)).toThrow(/reshape them to \[N, 48\]/);
  });
});
