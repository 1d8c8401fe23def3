/** `quantrtl import` and an .onnx given directly to a command. */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, ROOT } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";

const TFC = join(ROOT, "models/onnx/TFC_2W2A.onnx");

describe("quantrtl import", () => {
  it("writes a model JSON that check loads, with the input quantizer and the .onnx path relative to it", async () => {
    const dir = testDir("quantrtl-import-");
    const out = join(dir, "tfc.json");
    const r = await runCli(["import", TFC, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.quantrtl).toBe(1);
    expect(doc.metadata.source).toBe("onnx");
    expect(doc.metadata.inputQuantizer).toMatchObject({ scale: 0.5, zeroPoint: -1, bits: 2, signed: true, narrow: true });
    expect(join(dir, doc.metadata.floatModel)).toBe(TFC);
    const check = await runCli(["check", out]);
    expect(check.status, check.stderr).toBe(0);
    // the .onnx directly: the same model (same hash) as the written JSON
    const direct = await runCli(["check", TFC]);
    expect(direct.status, direct.stderr).toBe(0);
    const hash = (s: string) => /sha256 ([0-9a-f]+)/.exec(s)?.[1];
    expect(hash(direct.stdout)).toBe(hash(check.stdout));
  });

  it("does not replace an existing file without --force", async () => {
    const dir = testDir("quantrtl-import-");
    const out = join(dir, "mine.json");
    writeFileSync(out, "my notes");
    const r = await runCli(["import", TFC, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists/);
    expect(readFileSync(out, "utf8")).toBe("my notes");
  });
});
