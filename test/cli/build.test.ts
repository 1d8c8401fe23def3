/**
 * The main job end to end (`quantrtl build`, without synthesis to keep it short):
 * its report states the bit-exact proof it ran — each simulator on the real test
 * images with back-pressure — and not only the one-vector cycle measurement.
 */
import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";

const out = mkdtempSync(join(tmpdir(), "quantrtl-build-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("quantrtl build", () => {
  test("report.json and report.md carry each proof run (2 images, both simulators) beside the cycle run", async () => {
    const r = await runCli(["build", "models/mnist-xnor.json", "--out", out, "--limit", "20", "--vectors", "2", "--no-synth"], { timeoutMs: 900_000 });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report", "report.json"), "utf8")) as {
      verification: { proof?: { sim: string; vectors: number; compared: number; matched: number; bitExact: boolean; backpressure: number }[]; vectors: number };
    };
    const proof = report.verification.proof ?? [];
    expect(proof.map((p) => p.sim)).toEqual(["verilator", "icarus"]);
    for (const p of proof) {
      // the network ends in an argmax: one output word (the class) per image
      expect(p).toMatchObject({ vectors: 2, compared: 2, matched: 2, bitExact: true, backpressure: 0.25 });
    }
    expect(report.verification.vectors).toBe(1);
    const md = readFileSync(join(out, "report", "report.md"), "utf8");
    expect(md).toContain("\nbit-exact (icarus): 2/2 words on 2 vectors, back-pressure 0.25\n");
  }, 900_000);
});
