/**
 * `quantrtl build` on any model, through the built CLI: models that name no
 * dataset are proven on seeded random vectors (the ResNet-20 adder block and
 * the DeiT-Tiny block, which failed at step 1 when build assumed MNIST), and a
 * user's labelled .npz gives the accuracy that report.json carries.
 */
import { describe, expect, test } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dump } from "npyjs";
import { zipSync } from "fflate";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { loadMnist, mnistInput } from "../../src/frontend/float/mnist.js";

interface Report {
  accuracy?: { dataset: string; images: number; floatTop1?: number; integerTop1?: number; agreement?: number; floatRuntime?: string };
  verification: { proof: { sim: string; vectors: number; compared: number; matched: number; bitExact: boolean }[] };
}
const report = (out: string) => JSON.parse(readFileSync(join(out, "report", "report.json"), "utf8")) as Report;

describe("build on any model", () => {
  // a model with no dataset and a non-MNIST input (16×16×8); ResNet-20 and the DeiT block take ~10 min each here (see the README)
  for (const [model, sim] of [["models/conv3x3-adder-int8.json", "verilator"]] as const) {
    test(`${model}: no dataset -> bit-exact on one seeded random vector (${sim}), no accuracy in the report`, async () => {
      const out = join(testDir("quantrtl-any-"), "out");
      const r = await runCli(["build", model, "--no-synth", "--vectors", "1", "--sim", sim, "--out", out], { timeoutMs: 1_500_000 });
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      expect(r.stderr).toContain("no dataset (give --dataset for accuracy): seeded random vectors");
      expect(r.stdout).toMatch(
        new RegExp(`bit-exact \\(${sim}\\): (\\d+)/\\1 output words and every layer's tap on 1 seeded random vector\\(s\\) \\(seed 1\\)`),
      );
      expect(r.stdout).not.toContain("accuracy:");
      const rep = report(out);
      expect(rep.accuracy).toBeUndefined();
      expect(rep.verification.proof).toEqual([expect.objectContaining({ sim, vectors: 1, bitExact: true })]);
    }, 1_500_000);
  }

  test("a labelled .npz: accuracy on its images in stdout and report.json, the proof on its first samples", async () => {
    const dir = testDir("quantrtl-any-");
    const set = loadMnist("test", 20);
    writeFileSync(
      join(dir, "d.npz"),
      zipSync({ "x.npy": new Uint8Array(dump(mnistInput(set.images), [20, 1, 28, 28])), "y.npy": new Uint8Array(dump(set.labels, [20])) }),
    );
    const out = join(dir, "out");
    const r = await runCli(
      ["build", "models/mnist-xnor.json", "--dataset", join(dir, "d.npz"), "--no-synth", "--vectors", "2", "--sim", "verilator", "--out", out],
      { timeoutMs: 900_000 },
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const line = /accuracy: float (\d+\.\d\d)%, integer (\d+\.\d\d)%, agreement (\d+\.\d\d)% on 20 images/.exec(r.stdout);
    expect(line, r.stdout).not.toBeNull();
    const rep = report(out);
    expect(rep.accuracy).toMatchObject({ dataset: join(dir, "d.npz"), images: 20, floatRuntime: "tfjs" });
    // the figures in report.json are the printed ones
    expect((rep.accuracy!.floatTop1! * 100).toFixed(2)).toBe(line![1]);
    expect((rep.accuracy!.integerTop1! * 100).toFixed(2)).toBe(line![2]);
    expect((rep.accuracy!.agreement! * 100).toFixed(2)).toBe(line![3]);
    // mnist-xnor's recorded integer top-1 is 97.3 % on 10k images: on these 20 it gets most right
    expect(rep.accuracy!.integerTop1!).toBeGreaterThanOrEqual(0.8);
    expect(r.stdout).toMatch(new RegExp(`RTL class / label: \\d/${set.labels[0]} \\d/${set.labels[1]}\\n`));
    expect(rep.verification.proof).toEqual([expect.objectContaining({ sim: "verilator", vectors: 2, bitExact: true })]);
    expect(readFileSync(join(out, "report", "report.md"), "utf8")).toContain("## Accuracy");
  }, 900_000);
});
