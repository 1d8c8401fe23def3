/**
 * The CLI end to end on the bundled models, as child processes of the built
 * dist/src/cli.js: check, run (random, seeded and file input), gen, verify in
 * the real simulators (Verilator and Icarus), flag errors and --help.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = join(ROOT, "dist/src/cli.js");

// ---------------------------------------------------------------------------
// Build dist/ once. test/ir/malformed.test.ts does the same; a lock directory
// keeps the two files (run in parallel forks) from rewriting dist/ under each
// other, and a stamp newer than every source skips the second build.

function newestSourceMtime(): number {
  let newest = statSync(join(ROOT, "tsconfig.json")).mtimeMs;
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ["src", "bench", "scripts"]) walk(join(ROOT, d));
  return newest;
}

function buildDistOnce(): void {
  const key = createHash("sha1").update(ROOT).digest("hex").slice(0, 12);
  const lock = join(tmpdir(), `quantrtl-test-build-${key}.lock`);
  const stamp = join(tmpdir(), `quantrtl-test-build-${key}.stamp`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true }); // stale
    } catch {
      /* released meanwhile */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  try {
    if (existsSync(CLI) && existsSync(stamp) && statSync(stamp).mtimeMs > newestSourceMtime()) return;
    const r = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`npx tsc -p tsconfig.json failed (status ${r.status}):\n${r.stdout}${r.stderr}`);
    writeFileSync(stamp, "");
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from the repository root (so "models/..." resolves as in the README). */
function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const show = (r: Run): string => `status ${r.status}\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`;

interface RunJson {
  model: string;
  hash: string;
  layers: { name: string; shape: number[]; bits: number; data: number[] }[];
}

function runJson(...args: string[]): { r: Run; out: RunJson } {
  const r = cli("run", ...args, "--json");
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
  buildDistOnce();
  expect(existsSync(CLI)).toBe(true);
  tmp = mkdtempSync(join(tmpdir(), "quantrtl-cli-test-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("check", () => {
  test("check on the int8 adder model prints the layer: adder, K=72, pe 4 simd 16", () => {
    const r = cli("check", ADDER);
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

  test("check --pe 2 --simd 8 reports the overridden folding", () => {
    const r = cli("check", ADDER, "--pe", "2", "--simd", "8");
    expect(r.status, show(r)).toBe(0);
    expect(r.stdout).toContain("pe 2 simd 8 (NF 8 x SF 9)"); // 16/2 channels, 72/8 lanes
  });
});

describe("run", () => {
  test("run --json on the mac model gives 16*16*16 int8 values", () => {
    const { out } = runJson(MAC);
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

  test("the same --seed gives identical output, different seeds different output", () => {
    const a = runJson(MAC, "--seed", "5");
    const b = runJson(MAC, "--seed", "5");
    const c = runJson(MAC, "--seed", "6");
    expect(b.r.stdout).toBe(a.r.stdout);
    expect(a.out.layers[0].data).toHaveLength(FRAME_OUT);
    expect(c.out.layers[0].data).toHaveLength(FRAME_OUT);
    const differing = a.out.layers[0].data.filter((v, i) => v !== c.out.layers[0].data[i]).length;
    expect(differing).toBeGreaterThan(FRAME_OUT / 4);
    // the model (and its hash) is the same; only the input changed
    expect(c.out.hash).toBe(a.out.hash);
  });

  test("--input of 16*16*8 zeros gives requant(0) everywhere: all zeros for the mac model", () => {
    // by hand: every accumulator is Σ 0·w = 0 and the mac model has no bias, so acc = 0;
    // requant: round(0 · m / 2^k) = 0 in every rounding mode, + zeroPoint, saturated to int8
    const doc = JSON.parse(readFileSync(join(ROOT, MAC), "utf8"));
    const layer = doc.layers[0];
    expect(layer.kernel).toBe("mac");
    expect(layer.bias).toBeUndefined();
    const zeroPoint: number = layer.requant.zeroPoint ?? 0;
    const expected = Math.min(127, Math.max(-128, 0 + zeroPoint));
    expect(expected).toBe(0);

    const file = join(tmp, "zeros.json");
    writeFileSync(file, JSON.stringify(new Array(FRAME_IN).fill(0)));
    const { out } = runJson(MAC, "--input", file);
    const data = out.layers[0].data;
    expect(data).toHaveLength(FRAME_OUT);
    expect(data.filter((v) => v !== expected)).toEqual([]);
  });

  test("--input of the wrong length exits 1 naming --input", () => {
    const file = join(tmp, "short.json");
    writeFileSync(file, JSON.stringify(new Array(FRAME_IN - 1).fill(0)));
    const r = cli("run", MAC, "--input", file);
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
  test("gen on the xnor model writes rtl/files.f, rtl/*.v and the vectors", () => {
    const dir = join(tmp, "gen-xnor");
    const r = cli("gen", XNOR, "--out", dir);
    expect(r.status, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^wrote \d+ Verilog files \(top conv3x3_xnor_top\) and 1 test vector\(s\) to /);
    const rtl = join(dir, "rtl");
    for (const f of ["rtl/files.f", "vectors/input.hex", "vectors/conv0.expected.hex"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const vFiles = readdirSync(rtl).filter((f) => f.endsWith(".v")).sort();
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

  test.each(["verilator", "icarus"] as const)("verify the xnor model in %s: 4096/4096 words bit-exact", (sim) => {
    const args = ["verify", XNOR, "--vectors", "1", "--backpressure", "0"];
    if (sim === "icarus") args.push("--sim", "icarus");
    const r = cli(...args);
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

  test("verify --backpressure 2 exits 1 naming --backpressure", () => {
    const r = cli("verify", XNOR, "--backpressure", "2");
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: --backpressure: /);
    expect(r.stderr).toContain("hint: ");
    expect(r.stderr).not.toContain("    at ");
  });

  test("verify --sim modelsim exits 1 naming --sim", () => {
    const r = cli("verify", XNOR, "--sim", "modelsim");
    expect(r.status, show(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: --sim: /);
    expect(r.stderr).toContain("modelsim");
    expect(r.stderr).toContain("verilator");
    expect(r.stderr).not.toContain("    at ");
  });
});

describe("help", () => {
  test("--help exits 0 and lists check, run, gen, verify", () => {
    const r = cli("--help");
    expect(r.status, show(r)).toBe(0);
    expect(r.stderr).toBe("");
    for (const cmd of ["check", "run", "gen", "verify"]) {
      expect(r.stdout, cmd).toMatch(new RegExp(`^\\s+quantrtl ${cmd}\\s+<model\\.json>`, "m"));
    }
    expect(r.stdout).toContain("exit codes:");
  });
});
