/** Fit is a verdict: sim and compare mark it (exit 0), build refuses a design that does not fit before writing anything. */
import { describe, expect, test } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { fitVerdict } from "../../src/flows/fit.js";
import { loadBoard } from "../../src/ir/board.js";

describe("fit verdict", () => {
  test("over 100 % does not fit, over 80 % warns: hand-picked counts on the iCEBreaker (5280 LUT, 8 DSP)", () => {
    // 4300/5280 = 81.4 % (warn), 5281/5280 just over (does not fit), 8/8 DSP exactly full (fits, warns)
    const v = fitVerdict({ lut: 5281, ff: 4300, dsp: 8, bramBits: 0 }, loadBoard("icebreaker"));
    expect(v.fits).toBe(false);
    expect(v.over).toEqual(["LUT"]);
    expect(v.warn).toEqual(["FF", "DSP"]);
    const ok = fitVerdict({ lut: 100, ff: 100, dsp: 0, bramBits: 4096 }, loadBoard("icebreaker"));
    expect(ok).toMatchObject({ fits: true, over: [], warn: [] });
  });

  test("build of resnet20-adder-cifar for the iCEBreaker exits 1 naming LUT, and writes nothing at --out", async () => {
    const out = join(testDir("quantrtl-fit-"), "out");
    const r = await runCli(["build", "models/resnet20-adder-cifar.json", "--board", "icebreaker", "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/does not fit icebreaker.*LUT \d+ of 5280 \(\d+ %\)/);
    expect(r.stderr).toContain("--allow-overfit");
    expect(r.stderr).not.toMatch(/step 1\/4/); // refused before the accuracy run
    expect(existsSync(out)).toBe(false);
  });

  test("bitstream of resnet20-adder-cifar exits 1 naming LUT before Yosys runs, and writes nothing", async () => {
    const out = join(testDir("quantrtl-fit-"), "out");
    const r = await runCli(["bitstream", "models/resnet20-adder-cifar.json", "--board", "icebreaker", "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/does not fit icebreaker.*LUT \d+ of 5280/);
    expect(r.stderr).not.toMatch(/yosys/);
    expect(existsSync(out)).toBe(false);
  });

  test("sim --json carries fits: false with the resources over 100 % named; the text marks them; exit 0", async () => {
    const j = await runCli(["sim", "models/resnet20-adder-cifar.json", "--board", "icebreaker", "--json"]);
    expect(j.status).toBe(0);
    const perf = JSON.parse(j.stdout) as {
      fits: boolean;
      fit: { over: string[]; resources: { resource: string; used: number; available: number }[] };
      total: { resources: { lut: number } };
    };
    expect(perf.fits).toBe(false);
    expect(perf.fit.over).toContain("LUT");
    const lut = perf.fit.resources.find((r) => r.resource === "LUT")!;
    expect(lut.available).toBe(5280); // the UP5K's LUT4 count (Lattice iCE40 UltraPlus datasheet)
    expect(lut.used).toBe(perf.total.resources.lut);
    expect(lut.used).toBeGreaterThan(5280);
    const t = await runCli(["sim", "models/resnet20-adder-cifar.json", "--board", "icebreaker"]);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/LUT \d+ \([\d.]+% \(OVER\)\)/);
    expect(t.stdout).toMatch(/DOES NOT FIT icebreaker .*over 100 %: LUT/);
  });

  test("a design that fits reports fits: true and no DOES NOT FIT line", async () => {
    const j = await runCli(["sim", "models/conv3x3-xnor.json", "--board", "pynq-z2", "--json"]);
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout).fits).toBe(true);
  });

  test("compare on pynq-z2 marks the MAC build's DSPs over the board's 220, in the table and the JSON; exit 0", async () => {
    const t = await runCli(["compare", "models/mnist-mac.json", "--board", "pynq-z2", "--kernels", "mac,adder"]);
    expect(t.status).toBe(0);
    // datapath, baseline, source, LUT, lanes LUT, FF, DSP
    expect(t.stdout).toMatch(/^mac\s+\(baseline\)\s+estimate\s+\d+\s+\d+\s+\d+\s+\d+ \(OVER\)/m);
    expect(t.stdout).toMatch(/DOES NOT FIT pynq-z2 \(mac, estimate\): over 100 %: DSP \d+ of 220/);
    const j = await runCli(["compare", "models/mnist-mac.json", "--board", "pynq-z2", "--kernels", "mac,adder", "--json"]);
    const c = JSON.parse(j.stdout) as { fits: boolean; fit: Record<string, { fits: boolean; over: string[] }>; kernels: Record<string, { dsp: number }> };
    expect(c.fits).toBe(false);
    expect(c.fit.mac.over).toContain("DSP");
    expect(c.kernels.mac.dsp).toBeGreaterThan(220); // the XC7Z020 has 220 DSP48E1 slices
    expect(c.fit.adder.over).not.toContain("DSP");
  });
});
