/** The memory budget (src/ir/budget.ts): sizes, the default, and the figure a model is checked against. */
import { describe, expect, test } from "vitest";
import { defaultMemoryBudget, formatBytes, GiB, parseMemorySize } from "../../src/ir/budget.js";
import { parseModel } from "../../src/ir/load.js";
import { QuantrtlError } from "../../src/util/errors.js";

describe("parseMemorySize", () => {
  test("reads bytes and K/M/G/T as powers of 1024", () => {
    expect(parseMemorySize("65536")).toBe(65536);
    expect(parseMemorySize("1K")).toBe(1024);
    expect(parseMemorySize("512M")).toBe(536870912);
    expect(parseMemorySize("4G")).toBe(4294967296);
    expect(parseMemorySize("4GiB")).toBe(4294967296);
    expect(parseMemorySize("1.5g")).toBe(1610612736);
    expect(parseMemorySize("2T")).toBe(2199023255552);
  });

  test("refuses what is not a positive size", () => {
    for (const bad of ["", "0", "0.1", "-5M", "12Q", "lots", "1.5.2G", "M", "4 G B"]) expect(parseMemorySize(bad), bad).toBeUndefined();
  });
});

test("formatBytes rounds to one decimal of the largest unit", () => {
  expect(formatBytes(1000)).toBe("1000 bytes");
  expect(formatBytes(1024)).toBe("1.0 KiB");
  expect(formatBytes(3032)).toBe("3.0 KiB");
  expect(formatBytes(8 * GiB)).toBe("8.0 GiB");
});

test("the default is half the free memory, at most 4 GiB", () => {
  expect(defaultMemoryBudget(2 * GiB).bytes).toBe(GiB);
  expect(defaultMemoryBudget(100 * GiB).bytes).toBe(4 * GiB);
  expect(defaultMemoryBudget(100 * GiB).source).toContain("at most 4 GiB");
});

describe("checkModelMemory at load", () => {
  /** 8×8×2 int8 input, a 3×3 mac conv (padding 1) to 3 channels: 54 weights. */
  const doc = {
    quantrtl: 1,
    name: "budget",
    input: { height: 8, width: 8, channels: 2, bits: 8 },
    layers: [
      {
        type: "conv2d",
        name: "conv0",
        kernel: "mac",
        outChannels: 3,
        kernelSize: 3,
        padding: 1,
        weightBits: 8,
        activationBits: 8,
        weights: new Array(54).fill(1),
        requant: { multiplier: 1, shift: 0, rounding: "half_even", outBits: 8 },
      },
    ],
  };
  // by hand: weights 54·4 = 216, input 128·4 = 512, output 192·4 = 768, accumulators 192·8 = 1536: 3032 bytes
  const peak = 216 + 512 + 768 + 1536;

  test("a budget of exactly the peak is enough", () => {
    expect(parseModel(doc, { memoryBudget: { bytes: peak, source: "test" } }).layers).toHaveLength(1);
  });

  test("one byte less is refused, naming the layer and the figure", () => {
    let err: unknown;
    try {
      parseModel(doc, { memoryBudget: { bytes: peak - 1, source: "test" } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuantrtlError);
    expect((err as QuantrtlError).path).toBe("/layers/0 (conv0)");
    expect((err as QuantrtlError).problem).toContain("its output 8×8×3 brings the weights, golden tensors and its accumulators to 3.0 KiB");
  });

  test("ten vectors hold ten golden traces", () => {
    // 216 + 10·(512 + 768) + 1536 = 14552 bytes
    expect(() => parseModel(doc, { memoryBudget: { bytes: 14552, source: "test" }, workload: { vectors: 10 } })).not.toThrow();
    expect(() => parseModel(doc, { memoryBudget: { bytes: 14551, source: "test" }, workload: { vectors: 10 } })).toThrow(/for 10 vectors/);
  });
});
