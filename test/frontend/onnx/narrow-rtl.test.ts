/**
 * An imported narrow model generates RTL that Verilator and Icarus prove bit-exact: a 3-bit
 * signed input, 3-bit weights with a falling (γ < 0) channel on a negative multiplier, an
 * unsigned 2-bit activation stored in 2 signed bits with its offset, 2-bit weights.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, ROOT } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";
import { rng } from "../../../src/ir/inputs.js";
import { GraphBuilder } from "./graph-builder.js";

describe("imported narrow model in RTL", () => {
  it("verify proves 3-bit / 2-bit layers bit-exact in Verilator and Icarus", async () => {
    const g = new GraphBuilder();
    const r = rng(9);
    const rand = (n: number, a: number) => Array.from({ length: n }, () => (r() * 2 - 1) * a);
    const x = g.input("x", [1, 20]);
    const qx = g.quant(x, 1 / 4, 0, 3);
    const w1 = g.quant(g.init("W1", [20, 6], rand(120, 1.1)), 1 / 4, 0, 3);
    const bn = g.node("BatchNormalization", [
      g.node("MatMul", [qx, w1]),
      g.init("gamma", [6], [0.9, -1.2, 0.6, 1.4, -0.7, 0.8]),
      g.init("beta", [6], rand(6, 0.5)),
      g.init("mean", [6], rand(6, 0.4)),
      g.init(
        "var",
        [6],
        rand(6, 0.3).map((v) => v + 0.8),
      ),
    ]);
    const qh = g.quant(g.node("Relu", [bn]), 0.5, 0, 2, { signed: 0 });
    const w2 = g.quant(g.init("W2", [6, 4], rand(24, 1.4)), 1, 0, 2, { narrow: 1 });
    g.output(g.node("MatMul", [qh, w2]), [1, 4]);
    const dir = testDir("quantrtl-narrow-onnx-");
    const file = join(dir, "narrow.onnx");
    writeFileSync(file, g.bytes());
    const json = join(dir, "narrow.json");
    const imp = await runCli(["import", file, "--out", json]);
    expect(imp.status, imp.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8")) as { input: { bits: number }; layers: { weightBits: number; activationBits: number }[] };
    expect(doc.input.bits).toBe(3);
    expect(doc.layers.map((l) => [l.weightBits, l.activationBits])).toEqual([
      [3, 3],
      [2, 2],
    ]);
    const v = await runCli(["verify", json, "--vectors", "5", "--sim", "both"], { timeoutMs: 600_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/bit-exact: \d+\/\d+ words, 5 vectors.*\(verilator\)/);
    expect(v.stdout).toMatch(/bit-exact: \d+\/\d+ words, 5 vectors.*\(icarus\)/);
  }, 600_000);

  it("a padded conv on a 3-bit signed input, 3-bit activations through maxpool and flatten into a Gemm: bit-exact in Verilator", async () => {
    const g = new GraphBuilder();
    const r = rng(12);
    const rand = (n: number, a: number) => Array.from({ length: n }, () => (r() * 2 - 1) * a);
    const x = g.input("x", [1, 2, 6, 6]);
    const qx = g.quant(x, 1 / 4, 0, 3);
    const w = g.quant(g.init("W", [3, 2, 3, 3], rand(54, 0.9)), g.init("ws", [3, 1, 1, 1], [0.3, 0.7, 0.11]), 0, 3, { narrow: 1 });
    const conv = g.node("Conv", [qx, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
    const bn = g.node("BatchNormalization", [
      conv,
      g.init("gamma", [3], [1.3, -0.8, 0.45]),
      g.init("beta", [3], [0.1, 0.2, -0.3]),
      g.init("mean", [3], [0.05, -0.1, 0.2]),
      g.init("var", [3], [0.9, 1.7, 0.33]),
    ]);
    // signed 3-bit: 8 levels in 3 bits with offset 0, so the next conv could pad too
    const qa = g.quant(bn, 0.2, 0, 3);
    const pool = g.node("MaxPool", [qa], { kernel_shape: [2, 2], strides: [2, 2] });
    const flat = g.node("Flatten", [pool], { axis: 1 });
    const w2 = g.quant(g.init("W2", [4, 27], rand(108, 1)), 0.13, 0, 4, { narrow: 1 });
    g.output(g.node("Gemm", [flat, w2], { transB: 1 }), [1, 4]);
    const dir = testDir("quantrtl-narrow-conv-");
    const file = join(dir, "conv.onnx");
    writeFileSync(file, g.bytes());
    const json = join(dir, "conv.json");
    const imp = await runCli(["import", file, "--out", json]);
    expect(imp.status, imp.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8")) as { input: { bits: number }; layers: { type: string; requant?: { outBits: number } }[] };
    expect(doc.input.bits).toBe(3);
    expect(doc.layers.map((l) => l.type)).toEqual(["conv2d", "maxpool", "dense"]);
    expect(doc.layers[0].requant!.outBits).toBe(3);
    const v = await runCli(["verify", json, "--vectors", "3", "--sim", "verilator"], { timeoutMs: 600_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/bit-exact: \d+\/\d+ words, 3 vectors.*\(verilator\)/);
  }, 600_000);

  it("TFC_2W2A (2-bit weights and activations in every layer) is bit-exact in Verilator and Icarus on real MNIST test images", async () => {
    const v = await runCli(["verify", join(ROOT, "models/onnx/TFC_2W2A.onnx"), "--sim", "both", "--dataset", "mnist-test", "--vectors", "2"], {
      timeoutMs: 600_000,
    });
    expect(v.status, v.stderr).toBe(0);
    // 4 layers of 2-bit activations: the proof covers every layer's words
    expect(v.stdout).toMatch(/layer MatMul_20 \(mac, pe \d+, simd \d+\): 128\/128 words/);
    expect(v.stdout).toMatch(/bit-exact: 20\/20 words, 2 vectors.*\(verilator\)/);
    expect(v.stdout).toMatch(/bit-exact: 20\/20 words, 2 vectors.*\(icarus\)/);
  }, 600_000);
});
