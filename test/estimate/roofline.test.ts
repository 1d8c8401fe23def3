/**
 * The streaming design's roofline (src/estimate/roofline.ts): DRAM traffic is the
 * model input and output only, computed here by hand on a three-layer model;
 * weights and the intermediate activations count as on-chip traffic.
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { energyPerInference } from "../../src/estimate/energy.js";
import { streamingRoofline } from "../../src/estimate/roofline.js";

const conv = (name: string, outChannels: number, kernelSize: number, inChannels: number, pe: number, simd: number) => ({
  type: "conv2d",
  name,
  kernel: "mac",
  outChannels,
  kernelSize,
  padding: kernelSize === 3 ? 1 : 0,
  weightBits: 8,
  activationBits: 8,
  weights: new Array(outChannels * kernelSize * kernelSize * inChannels).fill(1),
  requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
  arch: { pe, simd },
});

// 4×4×2 input → a: 3×3 conv to 3 channels → b: 1×1 to 3 → c: 1×1 to 1 (4×4×1 output)
const model = parseModel({
  quantrtl: 1,
  name: "three",
  input: { height: 4, width: 4, channels: 2, bits: 8 },
  layers: [conv("a", 3, 3, 2, 3, 2), conv("b", 3, 1, 3, 1, 3), conv("c", 1, 1, 3, 1, 3)],
});

describe("streaming roofline", () => {
  const board = loadBoard("pynq-z2");
  const energy = energyPerInference(model);
  const interval = 100;
  const points = streamingRoofline(model, board, interval, energy);

  test("only the model input (4·4·2 = 32 B) and output (4·4·1 = 16 B) are DRAM traffic", () => {
    expect(points.map((p) => [p.name, p.memory, p.dramBytes])).toEqual([
      ["a", "dram", 32],
      ["b", "on-chip", 0],
      ["c", "dram", 16],
    ]);
    expect(energy.dramBytes).toBe(32 + 16);
  });

  test("intensity against DRAM for the I/O layers, against the layer's own memories otherwise", () => {
    // a: 16 pixels × K 18 × 3 channels = 864 MACs over 32 B = 27 MAC/B, against the board's DRAM
    expect(points[0].intensity).toBe(864 / 32);
    expect(points[0].bandwidth).toBe(board.dram.gbPerSecond);
    // b: 16 × 3 × 3 = 144 MACs; on chip: the whole ROM (3 out × 3 in = 9 B, nf = 3 folds of pe 1 × simd 3)
    // read once per pixel → 16 × 9 = 144 B, activations 16 pixels × K 3 = 48 B
    expect(points[1].onChipBytes).toBe(192);
    expect(points[1].intensity).toBe(144 / 192);
    // its memories at full rate: pe·simd = 3 weight bytes + simd = 3 activation bytes per cycle, at 100 MHz = 0.6 GB/s
    expect(points[1].bandwidth).toBeCloseTo(0.6, 12);
    // peak pe·simd = 3 MACs per cycle = 0.3 G/s; attained 144 MACs per 100-cycle frame at 100 MHz = 0.144 G/s
    expect(points[1].peak).toBeCloseTo(0.3, 12);
    expect(points[1].performance).toBeCloseTo(0.144, 12);
  });
});
