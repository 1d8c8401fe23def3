/**
 * Average pool RTL (src/hw/layers/pool.ts: sliding window -> window sums ->
 * dyadic requant, docs/integer-ops.md §1 -> serializer) in Verilator: bit-exact against the
 * golden reference for every rounding mode, with rounding ties of both signs
 * actually occurring, saturation, and cycles predicted exactly at backpressure 0.
 */
import { expect, test } from "vitest";
import { constantTensor, randomTensor } from "../../../src/ir/inputs.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import type { AvgPoolLayer, IntTensor } from "../../../src/ir/model.js";
import { convLayer, expectVerified, networkModel, Rounding } from "../../helpers/network-models.js";

const MODES: Rounding[] = ["floor", "half_up", "half_away", "half_even"];

/** Window sums of an avg pool whose scaled value sum·m sits exactly half-way (a rounding tie), by sign. */
function countTies(layer: AvgPoolLayer, x: IntTensor): { negative: number; positive: number } {
  const [, W, C] = x.shape;
  const { multiplier: m, shift: k } = layer.requant;
  const ties = { negative: 0, positive: 0 };
  for (let oy = 0; oy < layer.output.height; oy++) {
    for (let ox = 0; ox < layer.output.width; ox++) {
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let ky = 0; ky < layer.kernel[0]; ky++) {
          for (let kx = 0; kx < layer.kernel[1]; kx++) sum += x.data[((oy * layer.stride[0] + ky) * W + ox * layer.stride[1] + kx) * C + c];
        }
        const scaled = sum * m;
        if (k > 0 && ((scaled % 2 ** k) + 2 ** k) % 2 ** k === 2 ** (k - 1)) ties[scaled < 0 ? "negative" : "positive"]++;
      }
    }
  }
  return ties;
}

test("conv (mac, no relu) -> avgpool 3×3 stride 1 in each rounding mode (m = 1, k = 3: ties of both signs) is bit-exact", async () => {
  const input = { height: 10, width: 10, channels: 3, bits: 8 } as const;
  const model = networkModel("ap_modes", input, [
    convLayer("conv", input, {
      kernel: "mac",
      outChannels: 4,
      pe: 4,
      simd: 9,
      seed: 6,
      requant: { multiplier: 50000, shift: 21, rounding: "half_even", outBits: 8 },
    }),
    ...MODES.map((rounding) => ({
      type: "avgpool",
      name: `pool_${rounding}`,
      kernelSize: 3,
      stride: 1,
      requant: { multiplier: 1, shift: 3, rounding, outBits: 8 },
    })),
  ]);
  const inputs = [randomTensor(model.input, 21), randomTensor(model.input, 22), randomTensor(model.input, 23)];
  // the contract is only tested where it bites: every mode must see ties of both signs
  for (let li = 1; li <= MODES.length; li++) {
    const total = { negative: 0, positive: 0 };
    for (const x of inputs) {
      const t = countTies(model.layers[li] as AvgPoolLayer, runGolden(model, x).layers[li - 1]);
      total.negative += t.negative;
      total.positive += t.positive;
    }
    expect(total.negative, model.layers[li].name).toBeGreaterThan(0);
    expect(total.positive, model.layers[li].name).toBeGreaterThan(0);
  }
  await expectVerified(model, inputs, 3);
});

test("16-bit, 24 channels (P = 12, 2 groups), 2×2 stride 2 with k = 0: sums saturate to 16 bits, bit-exact at the extremes", async () => {
  const spec = { height: 6, width: 5, channels: 24, bits: 16 } as const;
  const model = networkModel("ap_sat", spec, [
    { type: "avgpool", name: "pool", kernelSize: 2, requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 16 } },
  ]);
  await expectVerified(model, [constantTensor(spec, -32768), constantTensor(spec, 32767), randomTensor(spec, 5)], 3);
});

test("int8 3×3 stride 1 with m/2^k = 7282/2^16 ≈ 1/9, half_away, at the extremes and on random data", async () => {
  const spec = { height: 6, width: 6, channels: 3, bits: 8 } as const;
  const model = networkModel("ap_ninth", spec, [
    { type: "avgpool", name: "pool", kernelSize: 3, stride: 1, requant: { multiplier: 7282, shift: 16, rounding: "half_away", outBits: 8 } },
  ]);
  await expectVerified(model, [constantTensor(spec, -128), constantTensor(spec, 127), randomTensor(spec, 6)], 3);
});
