/**
 * `quantrtl compare` in text: the adder-vs-mac lines word each change by its sign
 * (a larger adder build is "higher", never "-x% lower"), computed here from the
 * figures the same command prints as JSON.
 */
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";

const MODEL = "models/conv3x3-adder-int8.json";
const KERNELS = ["--datapaths", "mac,mac-nodsp,adder", "--board", "pynq-z2"];

describe("quantrtl compare (text)", () => {
  test("adder vs mac and vs mac-nodsp: percentage and direction follow the figures", async () => {
    const json = await runCli(["compare", MODEL, ...KERNELS, "--json"]);
    expect(json.status, json.stderr).toBe(0);
    const k = JSON.parse(json.stdout).kernels as Record<string, { lut: number; power_w: number }>;
    const text = await runCli(["compare", MODEL, ...KERNELS]);
    expect(text.status, text.stderr).toBe(0);
    for (const base of ["mac", "mac-nodsp"]) {
      const line = text.stdout.split("\n").find((l) => l.startsWith(`adder vs ${base}, ours:`));
      expect(line, `adder vs ${base}`).toBeDefined();
      const d = ((k.adder.lut - k[base].lut) / k[base].lut) * 100;
      const word = d < 0 ? "lower" : "higher";
      expect(line).toContain(`logic (LUT) ${Math.abs(d).toFixed(1)}% ${word}`);
      const p = ((k.adder.power_w - k[base].power_w) / k[base].power_w) * 100;
      expect(line).toContain(`power ${Math.abs(p).toFixed(1)}% ${p < 0 ? "lower" : "higher"}`);
    }
    expect(text.stdout).toMatch(/adder vs mac, published \(.*\): logic 67\.6-71\.4% lower/);
  });
});
