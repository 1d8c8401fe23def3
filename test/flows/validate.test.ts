/**
 * The whole-network checks (hw/network-validation.json): each recorded build is
 * still today's design (same RTL and Yosys script) with today's estimate, so the
 * error the report states is the error of this quantrtl; and the error bar is
 * computed as hand-worked here.
 */
import { describe, expect, test } from "vitest";
import { packageRoot } from "../../src/util/paths.js";
import { engineLayers, Model } from "../../src/ir/model.js";
import { loadBoard } from "../../src/ir/board.js";
import { parseKernels } from "../../src/flows/compare.js";
import { checkedModel, NetworkCheck, networkErrorBar, networkValidation, parseNetworkValidation, sameBuild, todaysBuild } from "../../src/flows/validate.js";
import { QuantrtlError } from "../../src/util/errors.js";

const STALE =
  "stale: after a refit `npm run validate-networks -- --refresh` (no Yosys); after an RTL change `npm run validate-networks -- --models <model> --kernels <kernel>` (Yosys, cached by RTL) or remove the entry";

describe("whole-network validation", () => {
  const file = networkValidation();

  test("covers the MNIST LeNet with every datapath on pynq-z2", () => {
    const lenet = file.networks.filter((n) => n.model === "models/mnist-adder.json" && n.board === "pynq-z2").map((n) => n.kernel);
    expect(lenet.sort()).toEqual(["adder", "mac", "mac-nodsp", "shift", "xnor"]);
  });

  test("every recorded build is today's RTL with today's estimate", () => {
    for (const n of file.networks) {
      const where = `${n.model}${n.arch ? ` (pe ${n.arch.pe} simd ${n.arch.simd})` : ""} ${n.kernel} on ${n.board}: ${STALE}`;
      const board = loadBoard(n.board);
      const today = todaysBuild(checkedModel(n, packageRoot()), parseKernels(n.kernel)[0], board);
      expect(today.rtlKey, where).toBe(n.rtlKey);
      expect(today.estimate, where).toEqual(n.estimate);
      expect(n.family).toBe(board.yosysFamily);
    }
  });

  test("DSP blocks: every whole network's estimate is Yosys's count (hw/families/dsp.ts rules, residual adds at their operand streams' widths)", () => {
    for (const n of file.networks)
      expect(n.estimate.dsp, `${n.model}${n.arch ? ` pe ${n.arch.pe} simd ${n.arch.simd}` : ""} ${n.kernel}`).toBe(n.synthesis.dsp);
  });

  test("block RAM: every whole network's estimate is Yosys's bits (memory_libmap rules, ROMs at the width of their columns that vary)", () => {
    for (const n of file.networks)
      expect(n.estimate.bram_bits, `${n.model}${n.arch ? ` pe ${n.arch.pe} simd ${n.arch.simd}` : ""} ${n.kernel}`).toBe(n.synthesis.bram_bits);
  });

  test("each build is recorded once", () => {
    file.networks.forEach((n, i) =>
      expect(
        file.networks.findIndex((m) => sameBuild(m, n)),
        `${n.model} ${n.kernel}`,
      ).toBe(i),
    );
  });

  test("a recorded folding is applied to every engine layer, and tells builds apart", () => {
    const base = file.networks[0];
    const folded = checkedModel({ model: "models/resnet20-adder-cifar.json", arch: { pe: 1, simd: 4 } }, packageRoot());
    const own = checkedModel({ model: "models/resnet20-adder-cifar.json" }, packageRoot());
    const arch = (m: Model) => new Set(engineLayers(m).map((l) => `${l.arch.pe}x${l.arch.simd}`));
    expect(engineLayers(folded).length).toBe(22);
    expect(arch(folded)).toEqual(new Set(["1x4"]));
    expect(arch(own)).toEqual(new Set(["4x16"]));
    expect(sameBuild(base, { ...base, arch: { pe: 1, simd: 4 } })).toBe(false);
    expect(sameBuild({ ...base, arch: { pe: 1, simd: 4 } }, { ...base, arch: { pe: 1, simd: 4 } })).toBe(true);
  });

  test("the error bar: RMS and worst of the relative errors, and the largest estimate where synthesis found none", () => {
    const check = (lut: [number, number], bram: [number, number]): NetworkCheck => ({
      model: "m.json",
      kernel: "mac",
      board: "pynq-z2",
      family: "xilinx",
      rtlKey: "0".repeat(24),
      yosys: "y",
      seconds: 1,
      estimate: { lut: lut[0], ff: 10, dsp: 0, bram_bits: bram[0] },
      synthesis: { lut: lut[1], ff: 10, dsp: 0, bram_bits: bram[1] },
    });
    const doc = { generator: "test", networks: [check([110, 100], [0, 0]), check([80, 100], [500, 0]), { ...check([1, 1], [0, 0]), family: "ice40" }] };
    const bar = networkErrorBar("xilinx", parseNetworkValidation(doc))!;
    expect(bar.networks).toBe(2);
    // +10 % and −20 %: worst 0.2, RMS sqrt((0.01 + 0.04) / 2)
    expect(bar.lut.relWorst).toBeCloseTo(0.2, 12);
    expect(bar.lut.relRms).toBeCloseTo(Math.sqrt(0.025), 12);
    expect(bar.ff.relWorst).toBe(0);
    expect(bar.bramBits.absAtZero).toBe(500);
    expect(networkErrorBar("ecp5", parseNetworkValidation(doc))).toBeUndefined();
  });

  test("a malformed entry is an error naming its JSON path", () => {
    const bad = { generator: "test", networks: [{ ...file.networks[0], rtlKey: "not-a-key" }] };
    expect(() => parseNetworkValidation(bad, "hw/network-validation.json")).toThrow(QuantrtlError);
    expect(() => parseNetworkValidation(bad, "hw/network-validation.json")).toThrow(/networks\/0\/rtlKey/);
  });
});
