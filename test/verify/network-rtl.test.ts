/**
 * Chained engines: the top connects layer outputs to the next layer's input
 * stream. Every layer's folding differs, so the slowest engine sets the pace;
 * the final stream must be bit-exact and the streaming model must predict the
 * measured cycles (exactly, as the chain is cycle-deterministic at backpressure 0).
 */
import { expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { verifyModel } from "../../src/verify/index.js";
import { convDoc } from "../helpers/models.js";

function chain(): ReturnType<typeof parseModel> {
  const a = convDoc({ kernel: "mac", bits: 8, height: 8, width: 8, channels: 3, outChannels: 4, pe: 2, simd: 9, seed: 1, relu: true });
  const b = convDoc({
    kernel: "adder",
    bits: 8,
    height: 8,
    width: 8,
    channels: 4,
    outChannels: 6,
    kernelSize: 3,
    stride: 2,
    padding: 1,
    pe: 3,
    simd: 12,
    seed: 2,
    bias: [900, 800, 1000, 950, 700, 1200],
    relu: true,
  });
  const c = convDoc({ kernel: "mac", bits: 8, height: 4, width: 4, channels: 6, outChannels: 5, kernelSize: 1, padding: 0, pe: 1, simd: 2, seed: 3 });
  const layers = [a, b, c].map((d, i) => ({ ...(d.layers as Record<string, unknown>[])[0], name: `conv${i}` }));
  return parseModel({ quantrtl: 1, name: "chain3", input: a.input, layers });
}

test("a three-layer mac -> adder -> mac chain is bit-exact with back-pressure, in Verilator and Icarus", async () => {
  const model = chain();
  const vl = await verifyModel(model, { sim: "verilator", vectors: 2, seed: 2, backpressure: 0.3 });
  expect(vl.lint).toBe("");
  expect(vl.mismatches).toEqual([]);
  expect(vl.bitExact).toBe(true);
  const ic = await verifyModel(model, { sim: "icarus", vectors: 2, seed: 2, backpressure: 0.3 });
  expect(ic.bitExact).toBe(true);
  expect(ic.cycles).toBe(vl.cycles);
});

test("the streaming model predicts the chain's cycles exactly at backpressure 0", async () => {
  const model = chain();
  const r = await verifyModel(model, { sim: "verilator", vectors: 3, seed: 5, backpressure: 0 });
  expect(r.bitExact).toBe(true);
  expect(r.cycles).toBe(r.predicted.cycles);
  expect(r.frameCycles).toEqual(r.predicted.frameCycles);
});
