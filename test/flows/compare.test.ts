import { describe, expect, test } from "vitest";
import { firstConv } from "../helpers/models.js";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { compareKernels, kernelUsesDsp, parseKernels, variantOf } from "../../src/flows/compare.js";
import { estimateModel } from "../../src/estimate/model.js";
import { synthesize } from "../../src/synth/index.js";
import { convModel, UNSTEPPABLE_IDEAL_CYCLES, unsteppableConv } from "../helpers/models.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { engineLayers } from "../../src/ir/model.js";
import { readFileSync } from "node:fs";
import { parseModel } from "../../src/ir/load.js";
import { attentionDoc, layerNormDoc, linearDoc, tokenDoc } from "../helpers/ivit-models.js";

const model = loadModel("models/conv3x3-adder-int8.json");

describe("datapath comparison", () => {
  test("estimates every kernel with the issue's JSON fields, the same folding and the same cycles", async () => {
    const c = await compareKernels(model, loadBoard("pynq-z2"), ["mac", "mac-nodsp", "adder", "xnor", "shift"]);
    expect(c.board).toBe("pynq-z2");
    expect(Object.keys(c.kernels)).toEqual(["mac", "mac-nodsp", "adder", "xnor", "shift"]);
    for (const f of Object.values(c.kernels)) {
      expect(
        Object.keys(f)
          .filter((k) => k !== "note")
          .sort(),
      ).toEqual(["baseline", "bram_bits", "cycles", "datapath_lut", "dsp", "energy_j", "ff", "fmax_mhz", "lut", "power_w", "source", "static_w"]);
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

  test("the paper's setting: adder-nodsp vs. mac-nodsp, no DSP on either side, lanes beside the whole design", async () => {
    const c = await compareKernels(model, loadBoard("pynq-z2"), ["mac", "mac-nodsp", "adder", "adder-nodsp"]);
    const k = c.kernels;
    expect(k["adder-nodsp"].dsp).toBe(0);
    expect(k["mac-nodsp"].dsp).toBe(0);
    expect([k.mac.baseline, k["mac-nodsp"].baseline, k.adder.baseline, k["adder-nodsp"].baseline]).toEqual([null, null, "mac", "mac-nodsp"]);
    // the adder's lanes take no DSP either way: moving DSPs to logic changes only the rest of the design
    expect(k["adder-nodsp"].datapath_lut).toBe(k.adder.datapath_lut);
    // the mac lanes' multipliers move into LUTs
    expect(k["mac-nodsp"].datapath_lut!).toBeGreaterThan(k.mac.datapath_lut!);
    for (const f of Object.values(k)) expect(f.datapath_lut!).toBeLessThanOrEqual(f.lut);
    const paper = c.paper_setting!;
    expect(paper).toMatchObject({ kernel: "adder-nodsp", baseline: "mac-nodsp" });
    expect(paper.whole_design.logic_reduction_pct).toBeCloseTo((1 - k["adder-nodsp"].lut / k["mac-nodsp"].lut) * 100, 9);
    const [lo, hi] = c.published.logicReductionPct;
    const logic = paper.whole_design.logic_reduction_pct!;
    expect(paper.within_published.logic).toBe(logic >= lo && logic <= hi);
    // a reason for each figure outside the range, naming which
    if (!paper.within_published.logic) expect(paper.reasons.some((r) => r.startsWith("logic: "))).toBe(true);
    if (!paper.within_published.power) expect(paper.reasons.some((r) => r.startsWith("power: "))).toBe(true);
    // at 16 bits a multiplier in LUTs grows with b² and an |x − w| lane with b: the lanes save more
    const p16 = c.paper_setting_16bit!;
    expect(p16).toMatchObject({ kernel: "adder-nodsp", baseline: "mac-nodsp" });
    expect(p16.datapath_only.logic_reduction_pct!).toBeGreaterThan(paper.datapath_only.logic_reduction_pct!);
    // no paper's setting without both -nodsp builds
    expect((await compareKernels(model, loadBoard("pynq-z2"), ["mac", "adder"])).paper_setting).toBeUndefined();
  });

  test("--synth: each build's figures are its Yosys synthesis, with the estimate of the same build beside them", async () => {
    const small = convModel({ kernel: "adder", bits: 8, pe: 2, simd: 4, name: "cmp_synth" });
    const board = loadBoard("pynq-z2");
    const c = await compareKernels(small, board, ["mac-nodsp", "adder"], { synth: true });
    for (const kernel of ["mac-nodsp", "adder"] as const) {
      const f = c.kernels[kernel];
      const useDsp = kernelUsesDsp(kernel);
      const s = await synthesize(variantOf(small, kernel), board, undefined, { useDsp });
      const e = estimateModel(variantOf(small, kernel), board, { useDsp }).total;
      expect(f.source).toBe("synthesis");
      expect([f.lut, f.ff, f.dsp, f.bram_bits]).toEqual([s.lut, s.ff, s.dsp, s.bramBits]);
      expect(f.estimate).toEqual({ lut: e.lut, ff: e.ff, dsp: e.dsp, bram_bits: e.bramBits });
    }
    // the no-DSP build really is one: Yosys put no multiplier on a DSP
    expect(c.kernels["mac-nodsp"].dsp).toBe(0);
  });

  test("a design too large to step says its cycles are a bound; one that is stepped does not", async () => {
    const board = loadBoard("pynq-z2");
    const big = unsteppableConv();
    const c = await compareKernels(big, board, ["mac", "adder"]);
    for (const f of Object.values(c.kernels)) {
      expect(f.cycles_bound).toBe(true);
      // the bound is at least the engine's ideal cycles, computed here from the shape
      expect(f.cycles).toBeGreaterThanOrEqual(UNSTEPPABLE_IDEAL_CYCLES);
    }
    const stepped = await compareKernels(model, board, ["mac"]);
    expect(stepped.kernels.mac.cycles_bound).toBeUndefined();
  });

  test("the shift variant holds only shift weights (0 or ±2^q, q ≤ 6) and no multiplier lanes", async () => {
    const v = variantOf(model, "shift");
    expect(firstConv(v).weights.every((w) => w === 0 || (Math.abs(w) <= 64 && Number.isInteger(Math.log2(Math.abs(w)))))).toBe(true);
    const c = await compareKernels(model, loadBoard("zcu104"), ["mac", "shift"]);
    // the shift lanes use no DSP; only the requant products (one per PE) may
    expect(c.kernels.shift.dsp).toBeLessThan(c.kernels.mac.dsp);
  });

  test("variants keep the folding and get their own hash", () => {
    const v = variantOf(model, "xnor");
    expect(firstConv(v).arch).toEqual(firstConv(model).arch);
    expect(firstConv(v).datapath).toBe("xnor");
    expect(v.input.bits).toBe(1);
    expect(v.hash).not.toBe(model.hash);
  });

  test("the multiplier-based variants keep the model's per-channel requant multipliers (the same network)", () => {
    const lenet = loadModel("models/mnist-adder.json");
    const json = JSON.parse(readFileSync("models/mnist-adder.json", "utf8")) as { layers: { name: string; requant?: { multipliers?: number[] } }[] };
    for (const kernel of ["mac", "mac-nodsp", "adder", "shift"] as const) {
      for (const l of engineLayers(variantOf(lenet, kernel))) {
        const want = json.layers.find((x) => x.name === l.name)!.requant!.multipliers!;
        expect(l.out.kind === "requant" && l.out.perChannel ? Array.from(l.out.perChannel.multipliers) : undefined, `${kernel} ${l.name}`).toEqual(want);
      }
    }
  });

  test("kernel lists: unknown names and empty lists are errors naming --kernels", () => {
    expect(parseKernels("mac, adder,shift")).toEqual(["mac", "adder", "shift"]);
    expect(() => parseKernels("fma")).toThrowError(QuantrtlError);
    expect(() => parseKernels("fma")).toThrowError(/datapath/);
    expect(() => parseKernels(" , ")).toThrowError(/empty/);
  });

  test("an integer ViT block: the 8-bit rebuilds are compared, xnor is named as not applicable with the layer that needs 8-bit inputs", async () => {
    // layernorm and attention are built for 8-bit inputs; mac/adder/shift rebuilds keep 8 bits, xnor would feed them 1 bit
    const vit = parseModel(tokenDoc("tiny-vit", 4, 8, [layerNormDoc("ln", 8, 3), linearDoc("qkv", 8, 24, 5), attentionDoc("attn", 2, -60)]));
    const c = await compareKernels(vit, loadBoard("pynq-z2"), ["mac", "adder", "xnor", "shift"]);
    expect(Object.keys(c.kernels)).toEqual(["mac", "adder", "shift"]);
    expect(c.not_applicable).toEqual({ xnor: 'layernorm layer "ln" is built for 8-bit inputs; an xnor rebuild would feed it 1-bit ones' });
    await expect(compareKernels(vit, loadBoard("pynq-z2"), ["xnor"])).rejects.toThrowError(/no datapath applies to tiny-vit/);
    // a CNN has nothing width-bound: every datapath applies
    expect((await compareKernels(model, loadBoard("pynq-z2"), ["xnor"])).not_applicable).toBeUndefined();
  });
});
