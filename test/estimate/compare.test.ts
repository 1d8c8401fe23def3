import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { compareKernels, parseKernels, variantOf } from "../../src/estimate/compare.js";
import { QuantrtlError } from "../../src/util/errors.js";

const model = loadModel("models/conv3x3-adder-int8.json");

describe("datapath comparison", () => {
  test("estimates every kernel with the issue's JSON fields, the same folding and the same cycles", async () => {
    const c = await compareKernels(model, loadBoard("pynq-z2"), ["mac", "mac-nodsp", "adder", "xnor"]);
    expect(c.board).toBe("pynq-z2");
    expect(Object.keys(c.kernels)).toEqual(["mac", "mac-nodsp", "adder", "xnor"]);
    for (const f of Object.values(c.kernels)) {
      expect(Object.keys(f).filter((k) => k !== "note").sort()).toEqual(["bram_bits", "cycles", "dsp", "energy_j", "ff", "fmax_mhz", "lut", "power_w", "source"]);
      expect(f.source).toBe("estimate");
      expect(f.fmax_mhz).toBeNull();
      // same shapes and folding: the streaming schedule does not depend on the datapath
      expect(f.cycles).toBe(c.kernels.mac.cycles);
    }
    // mac lanes: 4 PEs x 16 SIMD multipliers on DSPs; without DSPs none are used
    expect(c.kernels.mac.dsp).toBeGreaterThanOrEqual(64);
    expect(c.kernels["mac-nodsp"].dsp).toBe(0);
    expect(c.kernels["mac-nodsp"].lut).toBeGreaterThan(c.kernels.mac.lut);
    // xnor: no multiplier anywhere, one-bit operands
    expect(c.kernels.xnor.dsp).toBe(0);
    expect(c.kernels.xnor.lut).toBeLessThan(c.kernels.adder.lut);
    expect(c.published.logicReductionPct).toEqual([67.6, 71.4]);
  });

  test("variants keep the folding and get their own hash", () => {
    const v = variantOf(model, "xnor");
    expect(v.layers[0].arch).toEqual(model.layers[0].arch);
    expect(v.layers[0].datapath).toBe("xnor");
    expect(v.input.bits).toBe(1);
    expect(v.hash).not.toBe(model.hash);
  });

  test("kernel lists: shift (no RTL yet) and unknown names are errors naming --kernels", () => {
    expect(parseKernels("mac, adder")).toEqual(["mac", "adder"]);
    expect(() => parseKernels("mac,shift")).toThrowError(QuantrtlError);
    expect(() => parseKernels("fma")).toThrowError(/--kernels|datapath/);
  });
});
