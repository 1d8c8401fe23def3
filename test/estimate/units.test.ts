/**
 * The structural parts of the resource model's unit features (src/hw/units/<unit>/cost.ts, src/hw/layers/features.ts):
 * where Yosys puts a memory (cheapest of soft logic, distributed and block RAM under
 * the costs of the family's library) and how many DSP tiles a product takes (mul2dsp's
 * slicing). Expectations are worked from the library costs, and checked against the
 * block RAMs Yosys chose for the reference designs (hw/resource-model.json).
 */
import { describe, expect, test } from "vitest";
import { loadBoard } from "../../src/ir/board.js";
import { constant, dspsForProduct, mapMemory, signal, synthTarget, variableColumns, variableColumnsOfHex } from "../../src/hw/target.js";
import { weightRomBits, weightRomColumns } from "../../src/hw/units/mvu/cost.js";
import { estimateEngine, resourceModel, sumResources } from "../../src/estimate/resources.js";
import { estimateUnits } from "../../src/estimate/model.js";
import { unitReferenceDesigns, unitReferenceModel } from "../../src/estimate/unit-reference-designs.js";
import { referenceDesigns, referenceModel } from "../../src/estimate/reference-designs.js";
import { engineConv } from "../../src/ir/model.js";
import { convModel, firstConv } from "../helpers/models.js";

const ice40 = synthTarget(loadBoard("icebreaker"));
const xilinx = synthTarget(loadBoard("pynq-z2"));
const ecp5 = synthTarget(loadBoard("ulx3s-85f"));

describe("memory mapping", () => {
  test("a ROM maps at the width of its columns that vary (Yosys opt_mem: 'removing const-0 lane', 'const-1 lane')", () => {
    // columns of 0b1010, 0b1000, 0b1110: bit 0 always 0, bit 3 always 1, bits 1 and 2 vary
    expect(variableColumns([0b1010n, 0b1000n, 0b1110n], 4)).toBe(2);
    expect(variableColumnsOfHex("a\n8\ne\n", 4)).toBe(2);
    // one word: nothing varies, and a memory of no columns is no memory
    expect(variableColumns([0xffn], 8)).toBe(0);
    const xc7 = synthTarget(loadBoard("pynq-z2"));
    expect(mapMemory(256, 0, "rom", "sync", xc7)).toEqual({ style: "logic", blockBits: 0, lutramLuts: 0, logicBits: 0 });
    // the shift rebuild of the LeNet's dense1 weight ROM: 256 words of 4·16·5 = 320 bits, 38 columns
    // constant (Yosys 0.55's log names them) — 282 bits take 8 RAMB18 (Yosys: 147,456 bits), 320 would take 9
    expect(mapMemory(256, 282, "rom", "sync", xc7).blockBits).toBe(8 * 18432);
    expect(mapMemory(256, 320, "rom", "sync", xc7).blockBits).toBe(9 * 18432);
  });

  test("iCE40: a 36×8 bank costs 288 in logic and one 64-cost EBR; a 64×1 bank ties and stays in flip-flops", () => {
    expect(mapMemory(36, 8, "ram", "sync", ice40)).toEqual({ style: "block", blockBits: 4096, lutramLuts: 0, logicBits: 0 });
    expect(mapMemory(64, 1, "ram", "sync", ice40)).toEqual({ style: "logic", blockBits: 0, lutramLuts: 0, logicBits: 64 });
  });

  test("iCE40 ROMs cost 1/16 per bit in logic: 144×8 (72) goes to an EBR, 72×20 (90 < two EBRs, 128) stays in LUTs", () => {
    expect(mapMemory(144, 8, "rom", "sync", ice40).style).toBe("block");
    expect(mapMemory(72, 20, "rom", "sync", ice40).style).toBe("logic");
    // an asynchronous read cannot use a block RAM at all
    expect(mapMemory(144, 8, "rom", "async", ice40).style).toBe("logic");
  });

  test("Xilinx: a 36×8 bank takes three RAM64M (4 LUTs each); a 512×8 bank one RAMB18", () => {
    expect(mapMemory(36, 8, "ram", "sync", xilinx)).toEqual({ style: "distributed", blockBits: 0, lutramLuts: 12, logicBits: 0 });
    expect(mapMemory(512, 8, "ram", "sync", xilinx)).toEqual({ style: "block", blockBits: 18432, lutramLuts: 0, logicBits: 0 });
  });

  test("Xilinx ROMs cost 1/64 per bit in logic (synth_xilinx -logic-cost-rom 0.015625) and LUT RAM takes no ROM (prune_rom): 128×64 stays in logic, LeNet's 256×512 takes 15 × 18 Kb (Yosys: 276,480 bits)", () => {
    expect(mapMemory(128, 64, "rom", "sync", xilinx).style).toBe("logic");
    expect(mapMemory(128, 512, "rom", "sync", xilinx).style).toBe("logic");
    expect(mapMemory(256, 512, "rom", "sync", xilinx)).toEqual({ style: "block", blockBits: 276480, lutramLuts: 0, logicBits: 0 });
    // token_embed: Yosys left 320×8 in logic (40 < 129 + 2) and put 1088×8 in one RAMB18 (136 > 131)
    expect(mapMemory(320, 8, "rom", "sync", xilinx).style).toBe("logic");
    expect(mapMemory(1088, 8, "rom", "sync", xilinx).blockBits).toBe(18432);
  });

  test("ECP5: a 36×8 bank in TRELLIS_DPR16X4 (3 × 2 = 6 of them, 2 LUT4 each); at equal cost a synchronous read takes the DP16KD", () => {
    expect(mapMemory(36, 8, "ram", "sync", ecp5)).toEqual({ style: "distributed", blockBits: 0, lutramLuts: 12, logicBits: 0 });
    // 128×16: 8 × 4 = 32 DPR16X4 at cost 4 against one DP16KD at cost 128
    expect(mapMemory(128, 16, "ram", "sync", ecp5)).toEqual({ style: "block", blockBits: 18432, lutramLuts: 0, logicBits: 0 });
  });

  test("today's estimate has the block RAM bits Yosys used for every engine and unit reference design, on every family", () => {
    const boards: Record<string, string> = { xilinx: "pynq-z2", ice40: "icebreaker", ecp5: "ulx3s-85f" };
    const designs = referenceDesigns();
    const units = unitReferenceDesigns();
    let compared = 0;
    for (const d of resourceModel().designs) {
      const layer = referenceModel(designs.find((x) => x.name === d.name)!).layers[0];
      if (layer.kind !== "conv2d") throw new Error(d.name);
      for (const [family, r] of Object.entries(d.results)) {
        const e = estimateEngine(engineConv(layer), loadBoard(boards[family]), { useDsp: d.useDsp });
        (expect(e.bramBits, `${d.name} ${family}`).toBe(r.measured.bramBits), compared++);
      }
    }
    for (const d of resourceModel().unitDesigns) {
      for (const [family, r] of Object.entries(d.results)) {
        const e = sumResources(estimateUnits(unitReferenceModel(units.find((x) => x.name === d.name)!), loadBoard(boards[family])));
        (expect(e.bramBits, `${d.name} ${family}`).toBe(r.measured.bramBits), compared++);
      }
    }
    expect(compared).toBe(3 * (resourceModel().designs.length + resourceModel().unitDesigns.length));
  });
});

describe("DSP blocks by Yosys's rules", () => {
  test("a requant lane of ref_adder8_s2 (14-bit acc sign-extended to 29 bits × 0xb440): Yosys 0.55 synth_xilinx made 6 DSP48E1 of 3 lanes", () => {
    // opt_expr drops the constant's 6 low zeros, so the product stays unsigned and A keeps 29 bits: two slices
    expect(dspsForProduct({ a: signal(14), b: constant(0xb440), width: 29 }, xilinx)).toBe(2);
  });

  test("a constant power of two is a shift, no DSP", () => {
    expect(dspsForProduct({ a: signal(16), b: constant(1024), width: 28 }, xilinx)).toBe(0);
    expect(dspsForProduct({ a: signal(16), b: constant(1024), width: 28 }, ice40)).toBe(0);
  });

  test("every engine reference design gets the DSP blocks Yosys used (hw/resource-model.json), on every family", () => {
    const boards = { xilinx: loadBoard("pynq-z2"), ice40: loadBoard("icebreaker"), ecp5: loadBoard("ulx3s-85f") } as const;
    const designs = referenceDesigns();
    let compared = 0;
    for (const d of resourceModel().designs) {
      const design = designs.find((x) => x.name === d.name);
      if (!design) throw new Error(`reference design ${d.name} is no longer defined`);
      const layer = referenceModel(design).layers[0];
      if (layer.kind !== "conv2d") throw new Error(`${d.name} is not a conv layer`);
      for (const [family, r] of Object.entries(d.results)) {
        const e = estimateEngine(engineConv(layer), boards[family as keyof typeof boards], { useDsp: d.useDsp });
        expect(e.dsp, `${d.name} ${family}`).toBe(r.measured.dsp);
        compared++;
      }
    }
    expect(compared).toBe(3 * resourceModel().designs.length);
  });
});

describe("weight ROM columns", () => {
  test("a 1×1 conv with every output channel in one fold has one ROM word: no column varies", () => {
    const layer = firstConv(convModel({ kernel: "mac", bits: 8, kernelSize: 1, padding: 0, channels: 3, outChannels: 5, pe: 5, simd: 3 }));
    expect(weightRomColumns(layer)).toBe(0);
  });

  test("a layer whose weights are all equal has no column that varies over the ROM's words", () => {
    const K = 27;
    const layer = firstConv(convModel({ kernel: "mac", bits: 8, pe: 1, simd: 1, outChannels: 5, weights: new Array(5 * K).fill(-3) }));
    expect(weightRomColumns(layer)).toBe(0);
  });

  test("live bits: a weight bit that is 1 in some word keeps its partial-product row, one that is 0 in every word drops it", () => {
    const K = 27;
    // every weight 5 = 0b0000_0101: two live bits in each of the 1 × 1 lanes, and none varies
    const fives = firstConv(convModel({ kernel: "mac", bits: 8, pe: 1, simd: 1, outChannels: 5, weights: new Array(5 * K).fill(5) }));
    expect(weightRomBits(fives)).toEqual({ columns: 0, liveBits: 2, variable: 0 });
    // 4 and 1 alternating over the words: bits 0 and 2 live and varying (two distinct columns), bit 1 dead
    const alt = firstConv(
      convModel({ kernel: "mac", bits: 8, pe: 1, simd: 1, outChannels: 5, weights: Array.from({ length: 5 * K }, (_, i) => (i % 2 ? 4 : 1)) }),
    );
    expect(weightRomBits(alt)).toEqual({ columns: 2, liveBits: 2, variable: 2 });
    // −1 = 0b1111_1111 in 8 bits: every bit live in each of pe·simd = 2·3 lanes
    const ones = firstConv(convModel({ kernel: "mac", bits: 8, pe: 2, simd: 3, outChannels: 4, weights: new Array(4 * K).fill(-1) }));
    expect(weightRomBits(ones).liveBits).toBe(2 * 3 * 8);
    // two lanes with the same alternating weights: two distinct columns, four that vary (Yosys keeps equal columns apart)
    const twin = firstConv(
      convModel({ kernel: "mac", bits: 8, pe: 1, simd: 2, channels: 2, kernelSize: 1, padding: 0, outChannels: 4, weights: [1, 1, 4, 4, 1, 1, 4, 4] }),
    );
    expect(weightRomBits(twin)).toEqual({ columns: 2, liveBits: 4, variable: 4 });
  });
});
