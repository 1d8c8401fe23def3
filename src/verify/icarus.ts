/** Icarus Verilog: a testbench generated per run (same protocol as the Verilator harness), iverilog + vvp. */
import type HandlebarsModule from "handlebars";
import { lazyPackage } from "../util/lazy.js";

const handlebars = lazyPackage<typeof HandlebarsModule>("handlebars");
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";
import { ToolError, tail } from "../util/errors.js";
import { HarnessMismatch, HarnessResult, HarnessRun, Simulator, simProgress, TapResult } from "./harness.js";
import { requireTool, run, runChecked } from "../util/process.js";

function renderTestbench(h: HarnessRun): string {
  const source = readFileSync(join(packageRoot(), "hw", "harness", "icarus-tb.v.hbs"), "utf8");
  const template = handlebars().create().compile(source, { noEscape: true, strict: true });
  const threshold = Math.min(4294967295, Math.floor(h.stall * 4294967296));
  return template({
    top: h.top,
    seed: (h.seed | 1) >>> 0,
    stallEnabled: h.stall > 0 ? 1 : 0,
    stallThreshold: `32'd${threshold}`,
    inCount: h.inCount,
    outCount: h.outCount,
    outSize: Math.max(1, h.outCount),
    drainCycles: h.drainCycles,
    settleCycles: h.settleCycles,
    inBits: h.inBits,
    outBits: h.outBits,
    frameIn: h.frameIn,
    frameOut: h.frameOut,
    frames: Math.ceil(h.inCount / h.frameIn),
    inFile: h.inputFile,
    expectFile: h.expectFile,
    maxCycles: h.maxCycles,
    load: h.load,
    // the vectors run once the weights are in (always, without loadable weights)
    running: h.load ? "!rst && loaded" : "!rst",
    taps: (h.taps ?? []).map((t, n) => ({ n, index: t.layer, bits: t.bits, file: t.file, count: t.count, size: Math.max(1, t.count) })),
  });
}

/** `expectedTaps`: each tap's golden word count (the testbench was generated with them). */
export function parseIcarusOutput(output: string, command: string, expectedTaps: readonly number[] = []): HarnessResult {
  const done = output.split("\n").find((l) => l.startsWith("QUANTRTL_DONE "));
  if (!done) throw new ToolError("vvp", "the simulation printed no result", command, tail(output));
  const [compared, matched, inputsConsumed, cycles, simCycles, timeout, expectedWords, drainCycles, extraCycle] = done.split(/\s+/).slice(1).map(Number);
  const mismatches: HarnessMismatch[] = output
    .split("\n")
    .filter((l) => l.startsWith("QUANTRTL_MISMATCH "))
    .map((l) => {
      const [index, cycle, expected, actual] = l.split(/\s+/).slice(1).map(Number);
      return { index, cycle, expected, actual };
    });
  const frameCycles = output
    .split("\n")
    .filter((l) => l.startsWith("QUANTRTL_FRAME "))
    .map((l) => Number(l.split(/\s+/)[1]));
  const lines = output.split("\n");
  const taps: TapResult[] = lines
    .filter((l) => l.startsWith("QUANTRTL_TAP "))
    .map((l) => {
      const [n, tapCompared, tapMatched, tapExtra] = l.split(/\s+/).slice(1).map(Number);
      const tapMismatches = lines
        .filter((m) => m.startsWith(`QUANTRTL_TAP_MISMATCH ${n} `))
        .map((m) => {
          const [index, cycle, expected, actual] = m.split(/\s+/).slice(2).map(Number);
          return { index, cycle, expected, actual };
        });
      return { compared: tapCompared, matched: tapMatched, expectedWords: expectedTaps[n], extraCycle: tapExtra, mismatches: tapMismatches };
    });
  return {
    compared,
    matched,
    expectedWords,
    inputsConsumed,
    cycles,
    drainCycles,
    extraCycle,
    simCycles,
    timeout: timeout === 1,
    frameCycles,
    mismatches,
    taps,
  };
}

export const icarusSimulator: Simulator = {
  name: "icarus",
  async run(h: HarnessRun): Promise<HarnessResult> {
    requireTool("iverilog");
    requireTool("vvp");
    const tb = join(h.rtlDir, "..", "sim", "quantrtl_tb.v");
    writeFileSync(tb, renderTestbench(h));
    const vvpFile = join(h.rtlDir, "..", "sim", "quantrtl_tb.vvp");
    h.onProgress?.(`icarus: compiling ${h.top}`);
    await runChecked("iverilog", ["-g2005", "-s", "quantrtl_tb", "-o", vvpFile, tb, ...h.sources], { cwd: h.rtlDir, what: "iverilog compile" });
    h.onProgress?.(`icarus: simulating ${h.inCount} input / ${h.outCount} output words`);
    const args = [vvpFile, ...(h.vcd ? [`+vcd=${h.vcd}`] : [])];
    const r = await run("vvp", ["-n", ...args], { cwd: h.rtlDir, timeoutMs: 60 * 60_000, onLine: simProgress("icarus", h) });
    const command = ["vvp", "-n", ...args].join(" ");
    if (r.code !== 0) throw new ToolError("vvp", `simulation exited with ${r.code}`, command, tail(r.stdout + r.stderr));
    return parseIcarusOutput(
      r.stdout,
      command,
      (h.taps ?? []).map((t) => t.count),
    );
  },
};
