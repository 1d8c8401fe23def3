/**
 * Global average pool RTL (src/hw/layers/pool.ts: per-channel sums in a
 * rotating accumulator shift register -> dyadic requant, docs/integer-ops.md §1) in Verilator:
 * bit-exact against the golden reference and exactly predicted (H·W·C + 2 cycles
 * per frame) at backpressure 0.
 */
import { expect, test } from "vitest";
import { constantTensor, randomTensor } from "../../../src/ir/inputs.js";
import { tensorSize } from "../../../src/ir/model.js";
import { convLayer, expectVerified, expectVerifiedEdges, networkModel } from "../../helpers/network-models.js";

test("6×6×3 int8 -> conv (mac, no relu) -> global_avgpool (m/2^k ≈ 1/36, half_even) is bit-exact and exactly predicted", async () => {
  const input = { height: 6, width: 6, channels: 3, bits: 8 } as const;
  const model = networkModel("gap_conv", input, [
    convLayer("conv", input, { kernel: "mac", outChannels: 5, pe: 1, simd: 3, seed: 8 }),
    { type: "global_avgpool", name: "gap", requant: { multiplier: 1820, shift: 16, rounding: "half_even", outBits: 8 } },
  ]);
  await expectVerified(model, [randomTensor(input, 1), randomTensor(input, 2), constantTensor(input, -128)], 7);
});

test("16-bit 7×9×3 straight into global_avgpool with m = 1, k = 6 (half_away, ties), at the extremes: H·W·C + 2 cycles per frame", async () => {
  const spec = { height: 7, width: 9, channels: 3, bits: 16 } as const;
  const model = networkModel("gap_edge", spec, [
    { type: "global_avgpool", name: "gap", requant: { multiplier: 1, shift: 6, rounding: "half_away", outBits: 16 } },
  ]);
  const tie = constantTensor(spec, -32); // sum = 63 · −32 = −31.5 · 64: a negative tie (half_away → −32)
  const inputs = [constantTensor(spec, -32768), constantTensor(spec, 32767), tie, randomTensor(spec, 3)];
  const r0 = await expectVerified(model, inputs, 7);
  expect(r0.frameCycles[0]).toBe(tensorSize(spec) + 2);
});

test("one pixel (1×1×6: no accumulators) and one channel (3×2×1: one group) are bit-exact and exactly predicted", async () => {
  await expectVerifiedEdges(
    networkModel("gap_1x1", { height: 1, width: 1, channels: 6, bits: 16 }, [
      { type: "global_avgpool", name: "gap", requant: { multiplier: 5, shift: 1, rounding: "half_even", outBits: 8 } },
    ]),
  );
  await expectVerifiedEdges(
    networkModel("gap_c1", { height: 3, width: 2, channels: 1, bits: 8 }, [
      { type: "global_avgpool", name: "gap", requant: { multiplier: 1, shift: 1, rounding: "half_up", outBits: 8 } },
    ]),
  );
});
