/**
 * build reuses the proof of an identical earlier run (verify/proof-cache.ts); verify always
 * simulates; a changed setting or file is a new key.
 */
import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { cacheRoot } from "../../src/verify/verilator.js";

const REUSED = /reusing that run's result \(proof cache ([0-9a-f]{24})\)/;

describe("proof cache", () => {
  test("a second identical build reuses the recorded result; a new seed simulates; verify never reuses", async () => {
    // a seed no earlier run used: the first build must simulate
    const seed = String(100_000 + (Date.now() % 800_000));
    const args = (out: string, s = seed) => [
      "build",
      "models/conv3x3-mac-int8.json",
      "--no-synth",
      "--sim",
      "verilator",
      "--vectors",
      "1",
      "--seed",
      s,
      "--out",
      out,
    ];
    const root = testDir("quantrtl-proof-cache-");
    const first = await runCli(args(join(root, "a")), { timeoutMs: 600_000 });
    expect(first.status, first.stderr.slice(-1500)).toBe(0);
    expect(first.stderr).not.toMatch(REUSED);
    const second = await runCli(args(join(root, "b")), { timeoutMs: 600_000 });
    expect(second.status, second.stderr.slice(-1500)).toBe(0);
    const key = REUSED.exec(second.stderr)?.[1];
    expect(key).toBeDefined();
    // the same verdict and cycles as the run that simulated
    const verdict = (s: string) => s.split("\n").find((l) => l.startsWith("bit-exact (verilator)"));
    expect(verdict(second.stdout)).toBe(verdict(first.stdout));

    // it is the recorded result that answers: a cache entry edited to a mismatch is what the next build reports
    const entry = join(cacheRoot(), "proof", `${key}.json`);
    const recorded = JSON.parse(readFileSync(entry, "utf8")) as { matched: number; mismatches: unknown[] };
    writeFileSync(entry, JSON.stringify({ ...recorded, matched: recorded.matched - 1, mismatches: [{ index: 0, cycle: 1, expected: 1, actual: 2 }] }));
    const third = await runCli(args(join(root, "c")), { timeoutMs: 600_000 });
    expect(third.status).toBe(3);
    writeFileSync(entry, JSON.stringify(recorded));

    // another seed is another proof
    const other = await runCli(args(join(root, "d"), String(Number(seed) + 1)), { timeoutMs: 600_000 });
    expect(other.status).toBe(0);
    expect(other.stderr).not.toMatch(REUSED);
    // quantrtl verify simulates whatever the cache holds
    const v = await runCli(["verify", "models/conv3x3-mac-int8.json", "--sim", "verilator", "--vectors", "1", "--seed", seed], { timeoutMs: 600_000 });
    expect(v.status).toBe(0);
    expect(v.stderr).not.toMatch(REUSED);
    expect(readdirSync(join(cacheRoot(), "proof")).some((f) => f.startsWith(key!))).toBe(true);
  }, 900_000);
});
