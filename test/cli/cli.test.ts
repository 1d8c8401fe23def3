/**
 * The CLI end to end on the bundled models, as child processes of the built
 * dist/src/cli/main.js: check, run (random, seeded and file input), gen, verify in
 * the real simulators (Verilator and Icarus), flag errors and --help.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { CLI, ROOT, Run, runCli } from "../helpers/cli.js";
import { join } from "node:path";

// ---------------------------------------------------------------------------

/** Runs the CLI from the repository root (so "models/..." resolves as in the README). */
function cli(...args: string[]): Promise<Run> {
  return runCli(args);
}

const show = (r: Run): string => `status ${r.status}\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`;

interface RunJson {
  model: string;
  hash: string;
  layers: { name: string; shape: number[]; bits: number; data: number[] }[];
}

async function runJson(...args: string[]): Promise<{ r: Run; out: RunJson }> {
  const r = await await cli("run", ...args, "--json");
  expect(r.status, show(r)).toBe(0);
  return { r, out: JSON.parse(r.stdout) as RunJson };
}

const MAC = "models/conv3x3-mac-int8.json";
const ADDER = "models/conv3x3-adder-int8.json";
const XNOR = "models/conv3x3-xnor.json";
const FRAME_IN = 16 * 16 * 8;
const FRAME_OUT = 16 * 16 * 16;

let tmp: string;

beforeAll(() => {
  expect(existsSync(CLI)).toBe(true);
  tmp = mkdtempSync(join(tmpdir(), "quantrtl-cli-test-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("check", () => {
  test("check on the int8 adder model prints the layer: adder, K=72, pe 4 simd 16", async () => {
    const r = await cli("check", ADDER);
    expect(r.status, show(r)).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^model conv3x3_adder_int8 \(sha256 [0-9a-f]{16}…\): input 16x16x8 int8, 1 layer\(s\)$/);
    const layerLines = lines.filter((l) => /^\s+conv0: /.test(l));
    expect(layerLines, r.stdout).toHaveLength(1);
    const line = layerLines[0];
    expect(line).toContain("conv2d adder 3x3");
    expect(line).toContain("K=72"); // 3·3·8
    expect(line).toContain("pe 4 simd 16");
    expect(line).toContain("16x16x8 int8 -> 16x16x16 int8");
    expect(lines[lines.length - 1]).toBe("ok");
  });

  test("check --pe 2 --simd 8 reports the overridden folding", async () => {
    const r = await cli("check", ADDER, "--pe", "2", "--simd", "8");
    expect(r.status, show(r)).toBe(0);
    expect(r.stdout).toContain("pe 2 simd 8 (NF 8 x SF 9)"); // 16/2 channels, 72/8 lanes
  });
});

describe("run", () => {
  test("run --json on the mac model gives 16*16*16 int8 values", async () => {
    const { out } = await runJson(MAC);
    expect(out.model).toBe("conv3x3_mac_int8");
    expect(out.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.layers).toHaveLength(1);
    const l = out.layers[0];
    expect(l.name).toBe("conv0");
    expect(l.shape).toEqual([16, 16, 16]);
    expect(l.bits).toBe(8);
    expect(l.data).toHaveLength(FRAME_OUT);
    const outside = l.data.filter((v) => !Number.isInteger(v) || v < -128 || v > 127);
    expect(outside).toEqual([]);
    // a random input through a real conv gives many different values, not a constant frame
    expect(new Set(l.data).size).toBeGreaterThan(50);
  });

  test("the same --seed gives identical output, different seeds different output", async () => {
    const a = await runJson(MAC, "--seed", "5");
    const b = await runJson(MAC, "--seed", "5");
    const c = await runJson(MAC, "--seed", "6");
    expect(b.r.stdout).toBe(a.r.stdout);
    expect(a.out.layers[0].data).toHaveLength(FRAME_OUT);
    expect(c.out.layers[0].data).toHaveLength(FRAME_OUT);
    const differing = a.out.layers[0].data.filter((v, i) => v !== c.out.layers[0].data[i]).length;
    expect(differing).toBeGreaterThan(FRAME_OUT / 4);
    // the model (and its hash) is the same; only the input changed
    expect(c.out.hash).toBe(a.out.hash);
  });

  test("--input of 16*16*8 zeros gives requant(0) everywhere: all zeros for the mac model", async () => {
    // by hand: every accumulator is Σ 0·w = 0 and the mac model has no bias, so acc = 0;
    // requant: round(0 · m / 2^k) = 0 in every rounding mode, + zeroPoint, saturated to int8
    const doc = JSON.parse(readFileSync(join(ROOT, MAC), "utf8"));
    const layer = doc.layers[0];
    expect(layer.datapath).toBe("mac");
    expect(layer.bias).toBeUndefined();
    const zeroPoint: number = layer.requant.zeroPoint ?? 0;
    const expected = Math.min(127, Math.max(-128, 0 + zeroPoint));
    expect(expected).toBe(0);

    const file = join(tmp, "zeros.json");
    writeFileSync(file, JSON.stringify(new Array(FRAME_IN).fill(0)));
    const { out } = await runJson(MAC, "--input", file);
    const data = out.layers[0].data;
    expect(data).toHaveLength(FRAME_OUT);
    expect(data.filter((v) => v !== expected)).toEqual([]);
  });

  test("--input of the wrong length exits 1 naming --input", async () => {
    const file = join(tmp, "short.json");
    writeFileSync(file, JSON.stringify(new Array(FRAME_IN - 1).fill(0)));
    const r = await cli("run", MAC, "--input", file);
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain("--input");
    expect(r.stderr).toContain(String(FRAME_IN)); // says how many values are needed
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toContain("    at ");
  });
});

describe("gen", () => {
  test("gen on the xnor model writes rtl/files.f, rtl/*.v and the vectors", async () => {
    const dir = join(tmp, "gen-xnor");
    const r = await cli("gen", XNOR, "--out", dir);
    expect(r.status, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^wrote \d+ Verilog files \(top conv3x3_xnor_top\) and 1 test vector\(s\) to /);
    const rtl = join(dir, "rtl");
    for (const f of ["rtl/files.f", "vectors/input.hex", "vectors/conv0.expected.hex"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const vFiles = readdirSync(rtl)
      .filter((f) => f.endsWith(".v"))
      .sort();
    expect(vFiles.length).toBeGreaterThan(0);
    expect(vFiles).toContain("conv3x3_xnor_top.v");
    for (const f of vFiles) {
      expect(readFileSync(join(rtl, f), "utf8").startsWith("// Generated by quantrtl"), f).toBe(true);
    }
    // files.f lists exactly the .v files
    const listed = readFileSync(join(rtl, "files.f"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("//"))
      .sort();
    expect(listed).toEqual(vFiles);
    // one word per input element and per output element (1 vector), after the comment header
    const words = (f: string) =>
      readFileSync(join(dir, "vectors", f), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.startsWith("//"));
    expect(words("input.hex")).toHaveLength(FRAME_IN);
    expect(words("conv0.expected.hex")).toHaveLength(FRAME_OUT);
    // nothing staged is left beside the output
    expect(readdirSync(tmp).filter((e) => e.startsWith(".gen-xnor"))).toEqual([]);
  });
});

describe("verify in the real simulators", () => {
  const LAST = /^bit-exact: (\d+)\/(\d+) words, 1 vectors, (\d+) cycles \((verilator|icarus)\)$/;

  test.each(["verilator", "icarus"] as const)("verify the xnor model in %s: 4096/4096 words bit-exact", async (sim) => {
    const args = ["verify", XNOR, "--vectors", "1", "--backpressure", "0"];
    if (sim === "icarus") args.push("--sim", "icarus");
    const r = await cli(...args);
    expect(r.status, show(r)).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const m = LAST.exec(lines[lines.length - 1]);
    expect(m, show(r)).not.toBeNull();
    expect(Number(m![1])).toBe(FRAME_OUT);
    expect(Number(m![2])).toBe(FRAME_OUT);
    expect(Number(m![3])).toBeGreaterThan(0);
    expect(m![4]).toBe(sim);
    expect(r.stdout).not.toContain("MISMATCH");
  });

  test("verify --backpressure 2 exits 1 naming --backpressure", async () => {
    const r = await cli("verify", XNOR, "--backpressure", "2");
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: --backpressure: /);
    expect(r.stderr).toContain("hint: ");
    expect(r.stderr).not.toContain("    at ");
  });

  test("verify --sim modelsim exits 1 naming --sim", async () => {
    const r = await cli("verify", XNOR, "--sim", "modelsim");
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: --sim: /);
    expect(r.stderr).toContain("modelsim");
    expect(r.stderr).toContain("verilator");
    expect(r.stderr).not.toContain("    at ");
  });

  test("build --synth --no-synth exits 1 before any work, naming --no-synth", async () => {
    const r = await cli("build", XNOR, "--synth", "--no-synth");
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: --no-synth: contradicts --synth/);
    expect(r.stderr).not.toContain("    at ");
  });
});

describe("help", () => {
  test("--help exits 0 and lists check, run, gen, verify", async () => {
    const r = await cli("--help");
    expect(r.status, show(r)).toBe(0);
    expect(r.stderr).toBe("");
    for (const cmd of ["check", "run", "gen", "verify"]) {
      expect(r.stdout, cmd).toMatch(new RegExp(`^\\s+quantrtl ${cmd}\\s+<model\\.json>`, "m"));
    }
    expect(r.stdout).toContain("exit codes:");
  });

  test("<command> --help prints that command's usage (with its continuation lines) and nothing runs", async () => {
    const r = await cli("compare", "--help");
    expect(r.status, show(r)).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\s+quantrtl compare <model\.json> \[--datapaths mac,mac-nodsp,adder,adder-nodsp,xnor,shift\]/m);
    expect(r.stdout).not.toMatch(/quantrtl (check|build|sim)/);
    const build = await cli("build", "models/does-not-exist.json", "-h");
    expect(build.status, show(build)).toBe(0);
    expect(build.stdout).toMatch(/^\s+quantrtl build\s+<model\.json>/m);
    expect(build.stdout).toContain("(the main job:");
    expect(build.stdout).toContain("exit codes:");
  });
});
