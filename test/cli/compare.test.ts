/**
 * `quantrtl compare` in text: the paper's setting first (adder-nodsp vs.
 * mac-nodsp), then each build against its named baseline, every change worded by
 * its sign (a larger adder build is "higher", never "-x% lower"), computed here
 * from the figures the same command prints as JSON.
 */
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";

const MODEL = "models/conv3x3-adder-int8.json";
const KERNELS = ["--datapaths", "mac,mac-nodsp,adder,adder-nodsp", "--board", "pynq-z2"];

describe("quantrtl compare (text)", () => {
  test("leads with the paper's setting; every other build against its named baseline, percentage and direction from the figures", async () => {
    const json = await runCli(["compare", MODEL, ...KERNELS, "--json"]);
    expect(json.status, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      kernels: Record<string, { lut: number; power_w: number; datapath_lut: number; baseline: string | null }>;
      paper_setting: { kernel: string; baseline: string; datapath_only: { logic_reduction_pct: number } };
    };
    const k = doc.kernels;
    expect(k["adder-nodsp"].baseline).toBe("mac-nodsp");
    expect(k.adder.baseline).toBe("mac");
    expect(k.mac.baseline).toBeNull();
    expect(doc.paper_setting).toMatchObject({ kernel: "adder-nodsp", baseline: "mac-nodsp" });
    expect(doc.paper_setting.datapath_only.logic_reduction_pct).toBeCloseTo((1 - k["adder-nodsp"].datapath_lut / k["mac-nodsp"].datapath_lut) * 100, 9);
    const text = await runCli(["compare", MODEL, ...KERNELS]);
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    const paperAt = lines.findIndex((l) => l.startsWith("paper's setting (AdderNet hardware, arXiv 2103.00112"));
    expect(paperAt).toBeGreaterThan(0);
    expect(lines[paperAt]).toMatch(/adder-nodsp vs mac-nodsp$/);
    const whole = ((k["adder-nodsp"].lut - k["mac-nodsp"].lut) / k["mac-nodsp"].lut) * 100;
    expect(lines.find((l) => l.startsWith("  whole design:"))).toContain(`logic (LUT) ${Math.abs(whole).toFixed(1)}% ${whole < 0 ? "lower" : "higher"}`);
    const line = lines.find((l) => l.startsWith("  adder vs mac (multipliers on DSPs):"));
    expect(line).toBeDefined();
    expect(lines.indexOf(line!)).toBeGreaterThan(paperAt);
    const d = ((k.adder.lut - k.mac.lut) / k.mac.lut) * 100;
    expect(line).toContain(`logic (LUT) ${Math.abs(d).toFixed(1)}% ${d < 0 ? "lower" : "higher"}`);
    const p = ((k.adder.power_w - k.mac.power_w) / k.mac.power_w) * 100;
    expect(line).toContain(`power ${Math.abs(p).toFixed(1)}% ${p < 0 ? "lower" : "higher"}`);
    expect(text.stdout).toMatch(/^ {2}published: logic 67\.6-71\.4% lower/m);
  });
});
