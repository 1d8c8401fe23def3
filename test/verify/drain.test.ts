/**
 * The proof drains: a layer in front of a 2×2/2 maxpool on an odd map is still
 * emitting (the row and column the pool drops) after the last output word; the
 * harnesses wait for every tap's golden words, and a stream that carries fewer
 * or more words than its golden is a named difference with counts and a VCD.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { verifyModel } from "../../src/verify/index.js";
import { convLayer, graphModel } from "../helpers/graph-models.js";
import { expectExact } from "../helpers/rtl.js";
import { removeAfterTest } from "../helpers/temp.js";

/** Input 3×3×1, conv 3×3 pad 1 → 2 channels (pe 1, simd 1), maxpool 2×2/2 → 1×1×2. */
const oddPool = () =>
  graphModel("oddpool", { height: 3, width: 3, channels: 1 }, [
    convLayer({ name: "conv", kernel: "mac", inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1, pe: 1, simd: 1, seed: 21 }),
    { type: "maxpool", name: "pool", kernelSize: 2, stride: 2 },
  ]);

// by hand: the conv's stream is 3·3·2 = 18 words per vector, the pool's 1·1·2 = 2
const CONV_WORDS = 18;
const POOL_WORDS = 2;

describe("the proof waits for every tap (a conv in front of a pool that drops a row and a column)", () => {
  for (const sim of ["verilator", "icarus"] as const) {
    test(`${sim}: bit-exact with all 18 conv words compared, measured cycles = predicted at back-pressure 0`, async () => {
      const r = await verifyModel(oddPool(), { sim, vectors: 1, seed: 2, backpressure: 0 });
      expectExact(r);
      expect(r.layers.map((l) => [l.name, l.compared, l.matched])).toEqual([
        ["conv", CONV_WORDS, CONV_WORDS],
        ["pool", POOL_WORDS, POOL_WORDS],
      ]);
      expect(r.cycles).toBe(r.predicted.cycles);
      expect(r.frameCycles).toEqual(r.predicted.frameCycles);
      // the conv's last words come after the pool's last: the drain outlasts the output
      expect(r.drainCycles).toBeGreaterThan(r.cycles);
    });
  }

  test("verilator: bit-exact over 3 vectors with back-pressure (words after each frame's output are compared too)", async () => {
    const r = await verifyModel(oddPool(), { sim: "verilator", vectors: 3, seed: 4, backpressure: 0.3 });
    expectExact(r);
    expect(r.layers[0].compared).toBe(3 * CONV_WORDS);
  });
});

describe("a stream with fewer or more words than its golden is a named difference", () => {
  test("a golden file one word short of what the conv sends: EXTRA words on layer conv, 18 against 17, with a VCD", async () => {
    const r = await verifyModel(oddPool(), {
      sim: "verilator",
      backpressure: 0.2,
      tamperLayer: 0,
      tamperExpected: (tensors) => tensors.map((t) => ({ ...t, data: t.data.slice(0, -1) })),
    });
    removeAfterTest(r.outDir);
    expect(r.bitExact).toBe(false);
    expect(r.mismatches).toHaveLength(1);
    const m = r.mismatches[0];
    expect(m).toMatchObject({ kind: "extra", layer: "conv", expected: CONV_WORDS - 1, actual: CONV_WORDS });
    expect(m.cycle).toBeGreaterThan(0);
    expect(m.vcd).toBeDefined();
    expect(readFileSync(m.vcd!, "utf8")).toContain("$enddefinitions");
  });

  test("a golden file one word longer than what the conv sends: MISSING words on layer conv, 18 of 19, with a VCD", async () => {
    const r = await verifyModel(oddPool(), {
      sim: "verilator",
      backpressure: 0.2,
      tamperLayer: 0,
      tamperExpected: (tensors) => tensors.map((t) => ({ ...t, data: Int32Array.from([...t.data, 0]) })),
    });
    removeAfterTest(r.outDir);
    expect(r.bitExact).toBe(false);
    expect(r.timeout).toBe(true);
    expect(r.mismatches).toHaveLength(1);
    const m = r.mismatches[0];
    // the first missing word is stream word 18: one past vector 0's 3×3×2 map, i.e. vector 1, element 0
    expect(m).toMatchObject({ kind: "missing", layer: "conv", expected: CONV_WORDS + 1, actual: CONV_WORDS, vector: 1, index: 0 });
    expect(existsSync(m.vcd!)).toBe(true);
  });

  test("icarus: an output golden one word longer than the pool sends is MISSING words on layer pool, 2 of 3", async () => {
    const r = await verifyModel(oddPool(), {
      sim: "icarus",
      backpressure: 0.2,
      tamperExpected: (tensors) => tensors.map((t) => ({ ...t, data: Int32Array.from([...t.data, 0]) })),
    });
    removeAfterTest(r.outDir);
    expect(r.bitExact).toBe(false);
    expect(r.mismatches.map((m) => [m.kind, m.layer, m.expected, m.actual])).toEqual([["missing", "pool", POOL_WORDS + 1, POOL_WORDS]]);
    expect(existsSync(r.mismatches[0].vcd!)).toBe(true);
  });
});
