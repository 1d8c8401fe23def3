/** Typed dispatch on a float layer's kind (src/frontend/float/by-kind.ts). */
import { describe, expect, test } from "vitest";
import { byKind, isKindIn, type ByKind } from "../../../src/frontend/float/by-kind.js";

type Shape = { readonly kind: "square"; readonly side: number } | { readonly kind: "rect"; readonly w: number; readonly h: number };

const AREA: ByKind<Shape, [number], number> = {
  square: (s, scale) => s.side * s.side * scale,
  rect: (s, scale) => s.w * s.h * scale,
};

describe("byKind", () => {
  test("calls the entry of the layer's own kind, with the extra arguments", () => {
    expect(byKind(AREA, { kind: "square", side: 3 }, 2)).toBe(18);
    expect(byKind(AREA, { kind: "rect", w: 2, h: 5 }, 1)).toBe(10);
  });
});

describe("isKindIn", () => {
  test("knows the table's own kinds only: names on Object.prototype are no kinds", () => {
    expect(isKindIn(AREA, "square")).toBe(true);
    expect(isKindIn(AREA, "rect")).toBe(true);
    for (const notAKind of ["circle", "toString", "constructor", "__proto__", "hasOwnProperty", 3, undefined]) expect(isKindIn(AREA, notAKind)).toBe(false);
  });
});
