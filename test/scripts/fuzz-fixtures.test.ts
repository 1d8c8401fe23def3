/**
 * The random-graph campaign's shrunk failures (test/fixtures/fuzz/), kept as
 * regressions once fixed: each ran into a defect that the campaign found.
 */
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { ROOT, runCli } from "../helpers/cli.js";

const fixture = (name: string) => join(ROOT, "test", "fixtures", "fuzz", name);

describe("fuzz fixtures", () => {
  test("100-3: add(input, input) -> 2×1 maxpool on a 3×3 map: every tap drains, bit-exact in Verilator and Icarus (was a false NOT bit-exact)", async () => {
    const r = await runCli(["verify", fixture("100-3.json"), "--sim", "both", "--vectors", "2"]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/layer l1 \(add\): 72\/72 words/);
    expect(r.stdout).toMatch(/bit-exact: 24\/24 words, 2 vectors, \d+ cycles \(verilator\)/);
    expect(r.stdout).toMatch(/bit-exact: 24\/24 words, 2 vectors, \d+ cycles \(icarus\)/);
  });

  test("1601-8: a model of flatten layers alone is refused by gen/verify, naming /layers (its top left clk unused and failed lint)", async () => {
    const r = await runCli(["verify", fixture("1601-8.json"), "--vectors", "1"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("/layers: every layer is a flatten");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
