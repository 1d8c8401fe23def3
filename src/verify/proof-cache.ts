/**
 * Proof results cached by everything that decides them: the simulator and its version,
 * the harness source or testbench template, every file of the design folder (RTL, ROM
 * images), the input, golden and tap files, and the run's settings (seed, stall rate,
 * cycle limits). A simulation is deterministic in these, so an identical second run takes
 * the recorded result instead of simulating again; any changed byte is a new key. Runs
 * that write a VCD are never cached (they are wanted for their trace).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";
import { toolVersion } from "../util/process.js";
import { HarnessResult, HarnessRun } from "./harness.js";
import { cacheRoot } from "./verilator.js";

const HARNESS_SOURCES = ["verilator_main.cpp", "icarus-tb.v.hbs"];

function hashFolder(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) continue;
    h.update(`\0${name}\0`);
    h.update(readFileSync(path));
  }
}

/** The key of one run (hex), or undefined for a run that is not cached (one that writes a VCD). */
export function proofKey(sim: "verilator" | "icarus", h: HarnessRun): string | undefined {
  if (h.vcd !== undefined) return undefined;
  const hash = createHash("sha256");
  hash.update(`quantrtl-proof-1\0${sim}\0${sim === "verilator" ? toolVersion("verilator") : toolVersion("iverilog", ["-V"])}\0`);
  for (const f of HARNESS_SOURCES) hash.update(readFileSync(join(packageRoot(), "hw", "harness", f)));
  hashFolder(hash, h.rtlDir);
  for (const file of [h.inputFile, h.expectFile, ...(h.taps ?? []).map((t) => t.file)]) hash.update(readFileSync(file));
  const { stall, seed, maxCycles, drainCycles, settleCycles, frameIn, frameOut, inBits, outBits, top, sources } = h;
  hash.update(
    JSON.stringify({
      stall,
      seed,
      maxCycles,
      drainCycles,
      settleCycles,
      frameIn,
      frameOut,
      inBits,
      outBits,
      top,
      sources,
      taps: h.taps?.map((t) => [t.layer, t.bits, t.count]),
    }),
  );
  return hash.digest("hex").slice(0, 24);
}

const entry = (key: string) => join(cacheRoot(), "proof", `${key}.json`);

export function cachedProof(key: string): HarnessResult | undefined {
  const path = entry(key);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as HarnessResult) : undefined;
}

/** Written whole and renamed into place, so a concurrent reader never sees half a file. */
export function storeProof(key: string, result: HarnessResult): void {
  const path = entry(key);
  mkdirSync(join(cacheRoot(), "proof"), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(result) + "\n");
  renameSync(tmp, path);
}
