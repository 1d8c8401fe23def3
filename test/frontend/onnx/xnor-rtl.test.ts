/** An imported binary (BipolarQuant) model generates RTL that Verilator proves bit-exact: thresholds and xnor layers as the importer writes them. */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";
import { rng } from "../../../src/ir/inputs.js";
import { GraphBuilder } from "./graph-builder.js";

describe("imported binary model in RTL", () => {
  it("verify proves it bit-exact in Verilator", async () => {
    const g = new GraphBuilder();
    const r = rng(5);
    const rand = (n: number, a: number) => Array.from({ length: n }, () => (r() * 2 - 1) * a);
    const bq = (t: string) => g.node("BipolarQuant", [t, g.scalar(1)], {}, "qonnx.custom_op.general");
    const bn = (t: string, n: number, i: number) =>
      g.node("BatchNormalization", [
        t,
        g.init(`g${i}`, [n], rand(n, 1.5)),
        g.init(`b${i}`, [n], rand(n, 0.5)),
        g.init(`m${i}`, [n], rand(n, 2)),
        g.init(
          `v${i}`,
          [n],
          rand(n, 0.4).map((v) => v + 0.6),
        ),
      ]);
    const x = g.input("x", [1, 16]);
    const h1 = bq(bn(g.node("MatMul", [g.quant(x, 1 / 16, 0, 8), bq(g.init("W1", [16, 12], rand(192, 1)))]), 12, 1));
    const h2 = bq(bn(g.node("MatMul", [h1, bq(g.init("W2", [12, 8], rand(96, 1)))]), 8, 2));
    g.output(g.node("MatMul", [h2, bq(g.init("W3", [8, 4], rand(32, 1)))]), [1, 4]);
    const dir = testDir("quantrtl-xnor-onnx-");
    const file = join(dir, "binary.onnx");
    writeFileSync(file, g.bytes());
    const v = await runCli(["verify", file, "--vectors", "5", "--sim", "verilator"], { timeoutMs: 600_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/bit-exact: \d+\/\d+ words, 5 vectors.*\(verilator\)/);
  }, 600_000);
});
