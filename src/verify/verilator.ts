/**
 * Verilator: lint (-Wall must be silent), build the C++ harness once per distinct
 * design (cached by content hash, comments excluded so a weight change that only
 * alters the header reuses the build; ROMs load at run time), and run it.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";
import { ToolError, tail } from "../util/errors.js";
import { HarnessResult, HarnessRun, Simulator } from "./harness.js";
import { requireTool, run, runChecked, toolVersion } from "./tools.js";

const LANGUAGE = ["--default-language", "1364-2005"];

/** `verilator --lint-only -Wall`: returns the warning text (empty when clean). */
export async function lintVerilator(rtlDir: string, sources: readonly string[], top: string): Promise<string> {
  requireTool("verilator");
  const r = await run("verilator", ["--lint-only", "-Wall", ...LANGUAGE, "--top-module", top, ...sources], { cwd: rtlDir });
  return (r.stdout + r.stderr).trim();
}

function harnessSource(): string {
  return join(packageRoot(), "hw", "harness", "verilator_main.cpp");
}

export function cacheRoot(): string {
  return process.env.QUANTRTL_CACHE ?? join(packageRoot(), "node_modules", ".cache", "quantrtl");
}

/** Hash of what determines the compiled model: sources without comments, harness, tool version, flags. */
export function buildKey(rtlDir: string, sources: readonly string[], top: string, flags: readonly string[]): string {
  const h = createHash("sha256");
  h.update(toolVersion("verilator"));
  h.update(readFileSync(harnessSource()));
  h.update(top);
  h.update(flags.join(" "));
  for (const s of sources) {
    const text = readFileSync(join(rtlDir, s), "utf8").replace(/\/\/[^\n]*/g, "");
    h.update(s).update(text);
  }
  return h.digest("hex").slice(0, 24);
}

const BUILD_FLAGS = ["--cc", "--exe", "--trace", "--x-assign", "unique", "--x-initial", "unique", "-O2"];
/** Verilator's runtime, compiled once per Verilator version and shared by every design's build. */
const RUNTIME_OBJECTS = ["verilated.o", "verilated_vcd_c.o", "verilated_threads.o"];

function runtimeDir(): string {
  const version = createHash("sha256").update(toolVersion("verilator")).update(BUILD_FLAGS.join(" ")).digest("hex").slice(0, 12);
  return join(cacheRoot(), "verilator-runtime", version);
}

/** Copies the shared runtime objects into a build folder (keeping their times, so make sees them current). */
function seedRuntime(buildDir: string): boolean {
  const dir = runtimeDir();
  if (!RUNTIME_OBJECTS.every((o) => existsSync(join(dir, o)))) return false;
  for (const o of RUNTIME_OBJECTS) copyFileSync(join(dir, o), join(buildDir, o));
  const now = new Date();
  for (const o of RUNTIME_OBJECTS) utimesSync(join(buildDir, o), now, now);
  return true;
}

function saveRuntime(buildDir: string): void {
  const dir = runtimeDir();
  if (existsSync(dir)) return;
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  for (const o of RUNTIME_OBJECTS) copyFileSync(join(buildDir, o), join(staging, o));
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Builds (or reuses) the simulator binary for a design; returns its path. */
export async function buildVerilator(rtlDir: string, sources: readonly string[], top: string, onProgress?: (m: string) => void): Promise<string> {
  requireTool("verilator");
  const key = buildKey(rtlDir, sources, top, BUILD_FLAGS);
  const dir = join(cacheRoot(), "verilator", key);
  const binary = join(dir, "sim");
  if (existsSync(binary)) {
    onProgress?.(`verilator: reusing cached build ${key}`);
    return binary;
  }
  onProgress?.(`verilator: building ${top} (cache ${key})`);
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  const args = [...BUILD_FLAGS, ...LANGUAGE, "--top-module", top, "--prefix", "Vdut", "--Mdir", staging, "-o", "sim", ...sources.map((s) => join(rtlDir, s)), harnessSource()];
  try {
    await runChecked("verilator", args, { cwd: rtlDir, what: "verilator (C++ generation)", timeoutMs: 20 * 60_000 });
    const seeded = seedRuntime(staging);
    await runChecked("make", ["-C", staging, "-f", "Vdut.mk", "-j", "2", "sim"], { what: "C++ build of the Verilator model", timeoutMs: 20 * 60_000 });
    if (!seeded) saveRuntime(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (!existsSync(dir)) {
    try {
      renameSync(staging, dir);
    } catch {
      // another process finished the same build first; use theirs
    }
  }
  if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  return binary;
}

export function parseHarnessLine(output: string, command: string): HarnessResult {
  const line = output.split("\n").find((l) => l.startsWith("QUANTRTL_RESULT "));
  if (!line) throw new ToolError("verilator", "the simulation printed no result", command, tail(output));
  return JSON.parse(line.slice("QUANTRTL_RESULT ".length)) as HarnessResult;
}

export const verilatorSimulator: Simulator = {
  name: "verilator",
  async run(h: HarnessRun): Promise<HarnessResult> {
    const binary = await buildVerilator(h.rtlDir, h.sources, h.top, h.onProgress);
    const args = [
      "--in", h.inputFile, "--expect", h.expectFile,
      "--stall", String(h.stall), "--seed", String(h.seed),
      "--max-cycles", String(h.maxCycles),
      "--frame-in", String(h.frameIn), "--frame-out", String(h.frameOut),
      "--out-bits", String(h.outBits),
      ...(h.vcd ? ["--vcd", h.vcd] : []),
    ];
    h.onProgress?.(`verilator: simulating ${h.inCount} input / ${h.outCount} output words`);
    const r = await run(binary, args, { cwd: h.rtlDir, timeoutMs: 60 * 60_000 });
    const command = [binary, ...args].join(" ");
    if (r.code !== 0) throw new ToolError("verilator", `simulation exited with ${r.code}`, command, tail(r.stdout + r.stderr));
    return parseHarnessLine(r.stdout, command);
  },
};
