/** `quantrtl sim` and `--fold auto` through the real CLI (child processes). */
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { testDir } from "../helpers/temp.js";

async function cli(...args: string[]) {
  const r = await runCli(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TOTAL = /^total: (\d+) cycles, ([\d.]+) us at ([\d.]+) MHz, ([\d.]+) frames\/s$/m;

describe("quantrtl sim", () => {
  test("streaming: per-layer table and the total line, consistent with the board clock", async () => {
    const r = await cli("sim", "models/conv3x3-mac-int8.json", "--board", "pynq-z2");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conv0\s+mac\s+4x16\s+4x5\s+5120/);
    const m = r.stdout.match(TOTAL)!;
    expect(m).not.toBeNull();
    const [cycles, us, mhz] = [Number(m[1]), Number(m[2]), Number(m[3])];
    expect(mhz).toBe(100);
    expect(us).toBeCloseTo(cycles / 100, 2);
    expect(r.stdout).toMatch(/LUT \d+ \([\d.]+%\)/);
  });

  test("--json gives the same figures as the table", async () => {
    const r = await cli("sim", "models/conv3x3-xnor.json", "--board", "kv260", "--json");
    expect(r.code).toBe(0);
    const perf = JSON.parse(r.stdout);
    expect(perf.board).toBe("kv260");
    expect(perf.clockMHz).toBe(200);
    expect(perf.layers[0].idealCycles).toBe(5120);
    const table = await cli("sim", "models/conv3x3-xnor.json", "--board", "kv260");
    expect(Number(table.stdout.match(TOTAL)![1])).toBe(perf.total.latencyCycles);
  });

  test("array: one GEMM per conv layer (M = 256 pixels, K = 72, N = 16) and the total line", async () => {
    const r = await cli("sim", "models/conv3x3-adder-int16.json", "--arch", "array", "--board", "zcu104", "--dataflow", "os");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("256x72x16");
    expect(r.stdout).toContain("output-stationary");
    expect(r.stdout).toMatch(TOTAL);
  });

  test("bad options name themselves", async () => {
    const a = await cli("sim", "models/conv3x3-mac-int8.json", "--arch", "systolic");
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("--arch");
    const b = await cli("sim", "models/conv3x3-mac-int8.json", "--board", "nexys");
    expect(b.code).toBe(1);
    expect(b.stderr).toContain("--board");
    expect(b.stderr).toContain("pynq-z2");
    const c = await cli("sim", "models/conv3x3-mac-int8.json", "--arch", "array", "--board", "icebreaker");
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("no external DRAM");
    const d = await cli("sim", "models/conv3x3-mac-int8.json", "--fold", "auto", "--fps", "1e9");
    expect(d.code).toBe(1);
    expect(d.stderr).toContain("--fps");
  });
});

describe("quantrtl sim --workload", () => {
  test("DeiT-Tiny with a token keep-ratio reports what it buys, consistent with the two totals", async () => {
    const r = await cli("sim", "--workload", "deit-tiny", "--keep", "0.7", "--keep-from", "4", "--board", "zcu104");
    expect(r.code).toBe(0);
    const m = r.stdout.match(/token keep ratio 0.7 from block 4: (\d+) cycles vs (\d+) with every token \(([\d.]+) % fewer cycles/)!;
    expect(m).not.toBeNull();
    const [pruned, full, saved] = [Number(m[1]), Number(m[2]), Number(m[3])];
    expect(pruned).toBeLessThan(full);
    expect(saved).toBeCloseTo((1 - pruned / full) * 100, 1);
    expect(Number(r.stdout.match(TOTAL)![1])).toBe(pruned);
    // 12 blocks × 6 GEMMs + patch embedding + head
    expect(r.stdout.match(/^blk\d+\./gm)!.length).toBe(72);
  });

  test("--keep outside deit-tiny, an unknown workload and a bad ratio are errors naming the flag", async () => {
    expect((await cli("sim", "--workload", "resnet20", "--keep", "0.5")).stderr).toContain("--keep");
    expect((await cli("sim", "--workload", "vgg16")).stderr).toContain("--workload");
    const r = await cli("sim", "--workload", "deit-tiny", "--keep", "0");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--keep");
  });
});

describe("--fold auto", () => {
  test("writes the chosen folding into the generated layer", async () => {
    const out = join(testDir("quantrtl-fold-"), "d");
    const r = await cli("gen", "models/conv3x3-adder-int8.json", "--fold", "auto", "--board", "zcu104", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/folding for zcu104: conv0 pe (\d+) simd (\d+)/);
    const [, pe, simd] = r.stderr.match(/conv0 pe (\d+) simd (\d+)/)!;
    const layerV = readFileSync(join(out, "rtl", "conv3x3_adder_int8_conv0_layer.v"), "utf8");
    expect(layerV).toContain(`PE = ${pe}, SIMD = ${simd}`);
  });
});

describe("quantrtl sim --workload … --arch array --untiled", () => {
  test("--json reports total.computeCycles untiled, within 1 % of SCALE-Sim v2 (AlexNet conv2, 32×32 os: 334,831)", async () => {
    const r = await cli("sim", "--workload", "alexnet-conv2", "--arch", "array", "--rows", "32", "--cols", "32", "--dataflow", "os", "--untiled", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { mapping: string; total: { computeCycles: number } };
    expect(doc.mapping).toBe("untiled");
    expect(Math.abs(doc.total.computeCycles / 334_831 - 1)).toBeLessThan(0.01);
  });

  test("the text says whether compute cycles include tiling", async () => {
    const tiled = await cli("sim", "--workload", "alexnet-conv1", "--rows", "32", "--cols", "32");
    expect(tiled.stdout).toMatch(/^mapping: tiled/m);
    expect(tiled.stdout).toMatch(/^compute: \d+ cycles tiled \(112284 untiled, \+[\d.]+% for tiling\)$/m);
    const untiled = await cli("sim", "--workload", "alexnet-conv1", "--rows", "32", "--cols", "32", "--untiled");
    expect(untiled.stdout).toMatch(/^compute: 112284 cycles untiled$/m);
  });

  test("--untiled on the streaming model is an error naming the flag", async () => {
    const r = await cli("sim", "models/conv3x3-mac-int8.json", "--untiled");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")[0]).toContain("--untiled");
  });
});
