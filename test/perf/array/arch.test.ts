/** Array architecture validation (src/perf/array/arch.ts): every invalid parameter is named. */
import { describe, expect, test } from "vitest";
import { QuantrtlError } from "../../../src/util/errors.js";
import { validateArch, type ArrayArch } from "../../../src/perf/array/arch.js";

const good: ArrayArch = {
  rows: 32,
  cols: 32,
  datapath: "mac",
  dataflow: "ws",
  ifmapBufferBytes: 65536,
  weightBufferBytes: 65536,
  ofmapBufferBytes: 65536,
  dramBytesPerCycle: 16,
  clockMHz: 200,
};

function pathOf(arch: unknown): string {
  try {
    validateArch(arch);
  } catch (e) {
    if (e instanceof QuantrtlError) return e.path;
    throw e;
  }
  return "(valid)";
}

describe("validateArch", () => {
  test("accepts a valid architecture, including a fractional bandwidth", () => {
    expect(validateArch(good)).toBe(good);
    expect(pathOf({ ...good, dramBytesPerCycle: 12.8 })).toBe("(valid)");
  });

  test.each([
    ["rows", 0],
    ["rows", 2.5],
    ["cols", -4],
    ["cols", "32"],
    ["ifmapBufferBytes", 0],
    ["weightBufferBytes", 1.5],
    ["ofmapBufferBytes", undefined],
    ["dramBytesPerCycle", 0],
    ["dramBytesPerCycle", Infinity],
    ["clockMHz", -100],
    ["clockMHz", NaN],
    ["datapath", "fp16"],
    ["dataflow", "is"],
  ])("rejects %s = %s and names it", (key, value) => {
    expect(pathOf({ ...good, [key]: value })).toBe(key);
  });

  test("the message says what is wrong and the hint what is valid", () => {
    try {
      validateArch({ ...good, rows: 0 });
      throw new Error("expected a QuantrtlError");
    } catch (e) {
      expect(e).toBeInstanceOf(QuantrtlError);
      const err = e as QuantrtlError;
      expect(err.problem).toContain("rows must be a positive integer");
      expect(err.hint).toContain("32");
    }
  });

  test("rejects a non-object", () => {
    expect(pathOf(null)).toBe("arch");
    expect(pathOf(42)).toBe("arch");
  });
});
