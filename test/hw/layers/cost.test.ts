/**
 * Features of the units outside the engines (src/hw/layers/features.ts): the
 * memories mapped by hand from the Xilinx library costs (and the block RAMs Yosys
 * used for the residual-add reference designs: two RAMB36E1 for two 4096×8 FIFOs),
 * the DSPs a constant multiply takes, and which nodes are left to the engine formula.
 */
import { describe, expect, test } from "vitest";
import { loadBoard } from "../../../src/ir/board.js";
import { parseModel } from "../../../src/ir/load.js";
import { buildNetlist } from "../../../src/hw/netlist.js";
import { streamUnitFeatures } from "../../../src/hw/layers/index.js";
import { synthTarget } from "../../../src/hw/target.js";

const xilinx = synthTarget(loadBoard("pynq-z2"));
const doc = (input: { height: number; width: number; channels: number }, layers: Record<string, unknown>[]) =>
  parseModel({ quantrtl: 1, name: "t", input: { ...input, bits: 8 }, layers });

describe("stream-unit features", () => {
  test("a 4096-entry FIFO of 8 bits is two 2K×9 RAMB18s (cost 258 against 1,536 in RAM64M and 32,768 bits of flip-flops)", () => {
    const f = streamUnitFeatures({ kind: "fifo", name: "q", bits: 8, depth: 4096, input: 0, output: 1 }, xilinx)!;
    expect(f.kind).toBe("fifo");
    // pointers: two 12-bit counters
    expect(f.features).toEqual({ "fifo.units": 1, "fifo.bits": 8, "fifo.pointerBits": 24, "unit.blockBits": 2 * 18432 });
  });

  test("a residual add of the input with itself: a fork, a FIFO of the whole tensor per operand, the add; a multiplier of 3 takes a DSP, one of 4 is a shift", () => {
    const m = doc({ height: 16, width: 16, channels: 16 }, [
      { type: "add", name: "a", inputs: ["input", "input"], multipliers: [3, 4], shift: 2, rounding: "half_even", outBits: 8 },
    ]);
    const units = buildNetlist(m).nodes.map((n) => streamUnitFeatures(n, xilinx)!);
    expect(units.map((u) => u.kind)).toEqual(["fork", "fifo", "fifo", "add"]);
    expect(units[1].features["unit.blockBits"]).toBe(36864);
    expect(units[3].features["add.dsps"]).toBe(1);
    expect(streamUnitFeatures(buildNetlist(m).nodes[3], synthTarget(loadBoard("pynq-z2"), false))!.features["add.dsps"]).toBeUndefined();
  });

  test("global average pooling by a multiplier of 1 is a shift (no DSP); by 3 one DSP tile", () => {
    const gap = (multiplier: number) =>
      streamUnitFeatures(
        buildNetlist(
          doc({ height: 8, width: 8, channels: 64 }, [
            { type: "global_avgpool", name: "g", requant: { multiplier, shift: 6, rounding: "half_even", outBits: 8 } },
          ]),
        ).nodes[0],
        xilinx,
      )!;
    expect(gap(1).features["rq.dsps"]).toBeUndefined();
    expect(gap(3).features["rq.dsps"]).toBe(1);
    // the per-channel sums shift register: 64 channels of 8 + log2(64) = 14 bits
    expect(gap(1).features["gap.srBits"]).toBe(64 * 14);
  });

  test("a max pool hands its sliding window (and serializer, with more than one lane) to the engine formula", () => {
    const pool = (channels: number) =>
      streamUnitFeatures(buildNetlist(doc({ height: 8, width: 8, channels }, [{ type: "maxpool", name: "p", kernelSize: 2 }])).nodes[0], xilinx)!;
    expect(pool(4).engineParts?.swu.arch).toEqual({ pe: 4, simd: 4 });
    expect(pool(4).engineParts?.serializer).toBeDefined();
    expect(pool(1).engineParts?.serializer).toBeUndefined();
  });

  test("engines and wires are not stream units", () => {
    const m = doc({ height: 2, width: 2, channels: 4 }, [
      { type: "flatten", name: "f" },
      {
        type: "dense",
        name: "d",
        kernel: "mac",
        outFeatures: 2,
        weightBits: 8,
        activationBits: 8,
        weights: new Array(32).fill(1),
        requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
      },
    ]);
    expect(buildNetlist(m).nodes.map((n) => streamUnitFeatures(n, xilinx))).toEqual([undefined]);
  });
});
