/**
 * A small streaming testbench for the integer ViT units, generated into a temp
 * folder and run in Icarus (iverilog -g2005) and Verilator (--binary --timing):
 * the same Verilog-2005 bench in both, randomized valid/ready stalls from one
 * xorshift32 stream, every output word compared. Verilator builds are cached by
 * content hash (the vectors are read at run time), so a rerun only simulates.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, runChecked, toolVersion } from "../../../../src/util/process.js";
import { hexWord } from "../../../../src/hw/verilog.js";
import { packageRoot } from "../../../../src/util/paths.js";
import type { IvitUnit } from "../../../../src/hw/units/ivit-unit/params.js";

/** Vector memories of the bench: every vector file is padded to this many words. */
const DEPTH = 8192;

function benchSource(top: string, inBits: number, outBits: number): string {
  return `\`timescale 1ns/1ps
module ivit_tb;
    localparam integer IB = ${inBits};
    localparam integer OB = ${outBits};
    localparam integer DEPTH = ${DEPTH};

    reg           clk = 1'b0;
    reg           rst = 1'b1;
    reg           in_valid = 1'b0;
    wire          in_ready;
    reg  [IB-1:0] in_data = {IB{1'b0}};
    wire          out_valid;
    reg           out_ready = 1'b0;
    wire [OB-1:0] out_data;

    reg [IB-1:0] inputs   [0:DEPTH-1];
    reg [OB-1:0] expected [0:DEPTH-1];
    reg [8*1024:1] in_file;
    reg [8*1024:1] exp_file;
    integer nin, nout, stall, max_cycles, seed;
    integer cycle, in_idx, out_idx, matched, mismatches, first_in, last_out;
    reg [31:0] rng;
    reg offering;

    ${top} dut (
        .clk(clk), .rst(rst),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data)
    );

    always #5 clk = ~clk;

    function [31:0] xorshift;
        input [31:0] x;
        reg [31:0] t;
        begin
            t = x ^ (x << 13);
            t = t ^ (t >> 17);
            xorshift = t ^ (t << 5);
        end
    endfunction

    initial begin
        if (!$value$plusargs("in=%s", in_file)) in_file = "in.hex";
        if (!$value$plusargs("exp=%s", exp_file)) exp_file = "exp.hex";
        if (!$value$plusargs("nin=%d", nin)) nin = 0;
        if (!$value$plusargs("nout=%d", nout)) nout = 0;
        if (!$value$plusargs("stall=%d", stall)) stall = 0;
        if (!$value$plusargs("seed=%d", seed)) seed = 1;
        if (!$value$plusargs("max=%d", max_cycles)) max_cycles = 1000000;
        $readmemh(in_file, inputs);
        $readmemh(exp_file, expected);
        rng = seed | 1;
        cycle = 0; in_idx = 0; out_idx = 0; matched = 0; mismatches = 0; first_in = -1; last_out = -1;
        offering = 1'b0;
        repeat (4) @(posedge clk);
        @(negedge clk) rst = 1'b0;
    end

    // drive between edges: offer the next input unless stalled, randomize out_ready
    always @(negedge clk) begin
        if (!rst) begin
            if (!offering && in_idx < nin) begin
                rng = xorshift(rng);
                offering = (rng[7:0] >= stall[7:0]);
            end
            in_valid  <= offering;
            in_data   <= offering ? inputs[in_idx] : {IB{1'b0}};
            rng = xorshift(rng);
            out_ready <= (rng[7:0] >= stall[7:0]);
        end
    end

    // sample both handshakes at the rising edge
    always @(posedge clk) begin
        if (!rst) begin
            if (in_valid && in_ready) begin
                if (first_in < 0) first_in = cycle;
                in_idx = in_idx + 1;
                offering = 1'b0;
            end
            if (out_valid && out_ready) begin
                if (out_data === expected[out_idx]) matched = matched + 1;
                else begin
                    if (mismatches < 10) $display("IVIT_MISMATCH %0d %0d %0d %0d", out_idx, cycle, expected[out_idx], out_data);
                    mismatches = mismatches + 1;
                end
                out_idx = out_idx + 1;
                last_out = cycle;
            end
            cycle = cycle + 1;
            if (out_idx == nout || cycle >= max_cycles) begin
                $display("IVIT_DONE %0d %0d %0d %0d %0d", out_idx, matched, in_idx, last_out - first_in + 1, cycle >= max_cycles);
                $finish;
            end
        end
    end
endmodule
`;
}

export interface BenchMismatch {
  readonly index: number;
  readonly cycle: number;
  readonly expected: number;
  readonly actual: number;
}

export interface BenchResult {
  readonly compared: number;
  readonly matched: number;
  readonly consumed: number;
  /** First input handshake to last output handshake, inclusive. */
  readonly cycles: number;
  readonly timeout: boolean;
  readonly mismatches: readonly BenchMismatch[];
}

export interface BenchRun {
  readonly unit: IvitUnit;
  readonly sim: "verilator" | "icarus";
  readonly inputs: readonly number[];
  readonly expected: readonly number[];
  /** Probability of a stall on each side (0 … 1). */
  readonly stall: number;
  readonly seed: number;
  readonly maxCycles?: number;
}

/** Writes the unit's files and the bench into a fresh temp folder. */
function writeSources(unit: IvitUnit): { dir: string; sources: string[]; bench: string } {
  const dir = mkdtempSync(join(tmpdir(), "quantrtl-ivit-"));
  for (const f of unit.files) writeFileSync(join(dir, f.name), f.text);
  const bench = benchSource(unit.top, unit.inBits, unit.outBits);
  writeFileSync(join(dir, "ivit_tb.v"), bench);
  return { dir, sources: unit.files.map((f) => f.name), bench };
}

function hexFile(words: readonly number[], bits: number): string {
  if (words.length > DEPTH) throw new Error(`bench: ${words.length} words exceed the bench depth ${DEPTH}`);
  const lines = words.map((w) => hexWord(w, bits));
  while (lines.length < DEPTH) lines.push(hexWord(0, bits));
  return lines.join("\n") + "\n";
}

function parseResult(output: string, command: string): BenchResult {
  const done = output.split("\n").find((l) => l.startsWith("IVIT_DONE "));
  if (!done) throw new Error(`${command}: no result line\n${output.slice(-2000)}`);
  const [compared, matched, consumed, cycles, timeout] = done.trim().split(/\s+/).slice(1).map(Number);
  const mismatches = output
    .split("\n")
    .filter((l) => l.startsWith("IVIT_MISMATCH "))
    .map((l) => {
      const [index, cycle, expected, actual] = l.trim().split(/\s+/).slice(1).map(Number);
      return { index, cycle, expected, actual };
    });
  return { compared, matched, consumed, cycles, timeout: timeout === 1, mismatches };
}

function cacheBase(): string {
  return join(process.env.QUANTRTL_CACHE ?? join(packageRoot(), "node_modules", ".cache", "quantrtl"), "ivit-verilator");
}

const VERILATOR_FLAGS = [
  "--cc",
  "--exe",
  "--main",
  "--timing",
  "-Wno-fatal",
  "-Wno-lint",
  "-Wno-style",
  "--top-module",
  "ivit_tb",
  "--x-assign",
  "unique",
  "--x-initial",
  "unique",
];
/** Verilator's runtime, compiled once per Verilator version and flags and copied into every build (most of a cold build's time). */
const RUNTIME_OBJECTS = ["verilated.o", "verilated_threads.o", "verilated_timing.o"];

function runtimeDir(): string {
  return join(cacheBase(), `runtime-${createHash("sha256").update(toolVersion("verilator")).update(VERILATOR_FLAGS.join(" ")).digest("hex").slice(0, 12)}`);
}

/** Builds (or reuses) the Verilator binary of a unit + bench; returns its path. */
async function buildVerilator(dir: string, sources: readonly string[], bench: string, unit: IvitUnit): Promise<string> {
  const h = createHash("sha256").update(toolVersion("verilator")).update(VERILATOR_FLAGS.join(" ")).update(bench);
  for (const f of unit.files) h.update(f.name).update(f.text.replace(/\/\/[^\n]*/g, ""));
  const key = h.digest("hex").slice(0, 24);
  const target = join(cacheBase(), key);
  const binary = join(target, "Vivit_tb");
  if (existsSync(binary)) return binary;
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    await runChecked("verilator", [...VERILATOR_FLAGS, "--Mdir", staging, "ivit_tb.v", ...sources], {
      cwd: dir,
      what: "verilator (C++ generation)",
      timeoutMs: 10 * 60_000,
    });
    const runtime = runtimeDir();
    const seeded = RUNTIME_OBJECTS.every((o) => existsSync(join(runtime, o)));
    if (seeded) {
      const now = new Date();
      for (const o of RUNTIME_OBJECTS) {
        copyFileSync(join(runtime, o), join(staging, o));
        utimesSync(join(staging, o), now, now);
      }
    }
    await runChecked("make", ["-C", staging, "-f", "Vivit_tb.mk", "-j", "2", "Vivit_tb"], { what: "C++ build of the bench", timeoutMs: 10 * 60_000 });
    if (!seeded && !existsSync(runtime)) {
      const runtimeStaging = `${runtime}.tmp-${process.pid}-${Date.now()}`;
      mkdirSync(runtimeStaging, { recursive: true });
      for (const o of RUNTIME_OBJECTS) copyFileSync(join(staging, o), join(runtimeStaging, o));
      try {
        renameSync(runtimeStaging, runtime);
      } catch {
        rmSync(runtimeStaging, { recursive: true, force: true }); // another worker saved it first
      }
    }
    if (!existsSync(target)) renameSync(staging, target);
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** Runs the unit on the input words and compares every output word. */
export async function runBench(b: BenchRun): Promise<BenchResult> {
  const { dir, sources, bench } = writeSources(b.unit);
  try {
    writeFileSync(join(dir, "in.hex"), hexFile(b.inputs, b.unit.inBits));
    writeFileSync(join(dir, "exp.hex"), hexFile(b.expected, b.unit.outBits));
    const plusargs = [
      `+in=${join(dir, "in.hex")}`,
      `+exp=${join(dir, "exp.hex")}`,
      `+nin=${b.inputs.length}`,
      `+nout=${b.expected.length}`,
      `+stall=${Math.round(b.stall * 256)}`,
      `+seed=${b.seed}`,
      `+max=${b.maxCycles ?? 2_000_000}`,
    ];
    if (b.sim === "icarus") {
      await runChecked("iverilog", ["-g2005", "-s", "ivit_tb", "-o", "sim.vvp", "ivit_tb.v", ...sources], { cwd: dir, what: "iverilog" });
      const r = await run("vvp", ["-n", "sim.vvp", ...plusargs], { cwd: dir, timeoutMs: 10 * 60_000 });
      return parseResult(r.stdout + r.stderr, "vvp");
    }
    const binary = await buildVerilator(dir, sources, bench, b.unit);
    const r = await run(binary, plusargs, { cwd: dir, timeoutMs: 10 * 60_000 });
    return parseResult(r.stdout + r.stderr, binary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `verilator --lint-only -Wall` on the unit alone: the warning text, empty when clean. */
export async function lintUnit(unit: IvitUnit): Promise<string> {
  const { dir, sources } = writeSources(unit);
  try {
    const r = await run("verilator", ["--lint-only", "-Wall", "--default-language", "1364-2005", "--top-module", unit.top, ...sources], { cwd: dir });
    return (r.stdout + r.stderr).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
