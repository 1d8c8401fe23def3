/**
 * The fuzz campaign (scripts/fuzz.ts, built to dist/scripts/fuzz.js) as a child
 * process, with real Verilator: a CI dose of 50 small random graphs must all match
 * (golden = RTL on every tap with back-pressure, lint silent, measured = predicted
 * cycles), and a failure — one golden word changed through the campaign's test hook —
 * is reported with its seed, shrunk and saved as a fixture that loads, and the exit
 * code is 3.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run } from "../../src/util/process.js";
import { parseModel } from "../../src/ir/load.js";
import { ROOT } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { generatePlan, graphSeed } from "../../scripts/fuzz-graphs.js";

const FUZZ = join(ROOT, "dist/scripts/fuzz.js");
/** Small graphs: the Verilator build dominates each one, so few layers, small maps and channels. */
const SMALL = ["--max-layers", "3", "--max-size", "4", "--max-channels", "3"];

async function campaign(args: string[]) {
  return run(process.execPath, [FUZZ, ...args], { cwd: ROOT, timeoutMs: 1_500_000 });
}

describe("fuzz campaign (Verilator)", () => {
  test("50 small random graphs (two campaigns of 25 side by side) all match on every tap, lint-clean, cycles as predicted", async () => {
    const seeds = [20240601, 20240602];
    const runs = await Promise.all(
      seeds.map((seed) => campaign(["--graphs", "25", "--seed", String(seed), "--sim", "verilator", ...SMALL, "--fixtures", testDir("quantrtl-fuzz-")])),
    );
    runs.forEach((r, i) => {
      const seed = seeds[i];
      expect(r.stdout + r.stderr).toContain(`fuzz: 25 graph(s) from seed ${seed} (verilator): 25 matched, 0 failed`);
      expect(r.code).toBe(0);
      // one progress line per graph on stderr, with index, seed, kinds, result, elapsed and ETA
      const lines = r.stderr.split("\n").filter((l) => /^\[\d+\/25\]/.test(l));
      expect(lines).toHaveLength(25);
      for (const l of lines)
        expect(l).toMatch(new RegExp(`^\\[\\d+/25\\] seed ${seed} #\\d+ \\(graph seed \\d+\\) \\d+×\\d+×\\d+/\\d+ \\S+: ok \\(.*\\), elapsed .*, ETA .*$`));
    });
  }, 1_600_000);

  test("a wrong golden word is caught, reported with its seed, shrunk and saved as a loadable fixture; exit 3", async () => {
    const fixtures = testDir("quantrtl-fuzz-");
    // a campaign seed whose first graph has ≥ 3 layers; the hook tampers the last one's kind
    const seed = Array.from({ length: 200 }, (_, i) => 500 + i).find((s) => {
      const p = generatePlan(graphSeed(s, 0), { maxLayers: 3, maxSize: 4, maxChannels: 3 });
      return (
        p.layers.length === 3 && !["flatten", "add", "linear"].includes(p.layers[2].type) && !p.layers.slice(0, 2).some((l) => l.type === p.layers[2].type)
      );
    })!;
    const plan = generatePlan(graphSeed(seed, 0), { maxLayers: 3, maxSize: 4, maxChannels: 3 });
    const kind = plan.layers[2].type;
    const r = await campaign(["--graphs", "1", "--seed", String(seed), ...SMALL, "--fixtures", fixtures, "--shrink-budget", "6", "--tamper-kind", kind]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain(`FAIL seed ${seed} graph 0: mismatch:${kind}`);
    expect(r.stdout).toContain("0 matched, 1 failed");
    const file = join(fixtures, `${seed}-0.json`);
    expect(existsSync(file)).toBe(true);
    expect(r.stdout).toContain(`${seed}-0.json`);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    const model = parseModel(doc);
    // the shrunk model still holds the tampered kind and is no larger than the graph it came from
    expect(model.layers.some((l) => l.kind === kind)).toBe(true);
    expect(model.layers.length).toBeLessThanOrEqual(3);
    expect(doc.metadata.fuzz).toMatchObject({ campaignSeed: seed, index: 0, failure: `mismatch:${kind}` });
  }, 1_200_000);
});
