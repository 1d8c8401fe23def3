/**
 * The AXI4-Stream wrapper (codegen/board/axi.ts) in a simulator: the design and
 * the golden vectors as `gen` writes them, the wrapper beside the bare top, and
 * one testbench (hw/harness/axi-tb.v.hbs) for Icarus and Verilator (--binary
 * --timing) with random tvalid/tready stalls and a protocol checker.
 */
import type HandlebarsModule from "handlebars";
import { lazyPackage } from "../util/lazy.js";

const handlebars = lazyPackage<typeof HandlebarsModule>("handlebars");
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IntTensor, Model } from "../ir/model.js";
import { writeDesignFiles } from "../codegen/write.js";
import { tensorWords } from "../codegen/vectors.js";
import { hexWord } from "../hw/verilog.js";
import { AXIL_REGISTERS, axisModuleName, axisParams, byteWidth, emitAxisTop, inTdataWord, outTdataWord } from "../codegen/board/axi.js";
import { packageRoot } from "../util/paths.js";
import { ToolError, tail } from "../util/errors.js";
import { requireTool, run, runChecked } from "../util/process.js";

export interface AxiRunOptions {
  readonly sim: "verilator" | "icarus";
  readonly inputs: readonly IntTensor[];
  /** Probability of a gap on s_axis and of tready low on m_axis, each cycle. */
  readonly stall: number;
  readonly seed: number;
  /** Frame 0 ends early (tlast after half its beats), frame 1 late (3 extra beats): needs 3 inputs or more. */
  readonly malformed?: boolean;
  readonly cycleLimit?: number;
}

export interface AxiRegisters {
  readonly id: number;
  readonly version: number;
  readonly status: number;
  readonly framesOut: number;
  readonly lastFrameCycles: number;
  readonly frameIn: number;
  readonly frameOut: number;
  readonly framesIn: number;
  /** Status after writing 3 (W1C) to it. */
  readonly statusAfterClear: number;
}

export interface AxiRunResult {
  readonly beats: number;
  readonly sent: number;
  readonly accepted: number;
  readonly expectedBeats: number;
  readonly received: number;
  readonly matched: number;
  readonly mismatches: number;
  readonly protocolErrors: number;
  readonly timeout: boolean;
  readonly registers: AxiRegisters;
  /** Per output frame: cycles from the first accepted input beat to its tlast beat. */
  readonly frameEnds: readonly number[];
  readonly log: string;
}

interface Beat {
  readonly last: boolean;
  readonly word: bigint;
}

/** The beats the testbench sends: one per element, tlast on the last of a frame (malformed: see AxiRunOptions). */
export function inputBeats(inputs: readonly IntTensor[], bits: number, malformed = false): Beat[] {
  const beats: Beat[] = [];
  inputs.forEach((x, f) => {
    const words = tensorWords(x).map((w) => inTdataWord(w, bits));
    const frame =
      malformed && f === 0
        ? words.slice(0, Math.ceil(words.length / 2))
        : malformed && f === 1
          ? [...words, 0x5an, 0xa5n, 0x3cn].map((w) => w & ((1n << BigInt(byteWidth(bits))) - 1n))
          : words;
    frame.forEach((word, i) => beats.push({ word, last: i === frame.length - 1 }));
  });
  return beats;
}

/** The beats expected on m_axis: {check, tlast, tdata}; frame 0 is not checked (its data) when malformed. */
export function expectedBeats(outputs: readonly IntTensor[], bits: number, malformed = false): { check: boolean; last: boolean; word: bigint }[] {
  return outputs.flatMap((t, f) => {
    const words = tensorWords(t);
    return words.map((w, i) => ({ check: !(malformed && f === 0), last: i === words.length - 1, word: outTdataWord(w, bits) }));
  });
}

function renderTestbench(params: object): string {
  const source = readFileSync(join(packageRoot(), "hw", "harness", "axi-tb.v.hbs"), "utf8");
  return handlebars().create().compile(source, { noEscape: true, strict: true })(params);
}

/** The testbench and its two vector files for `inputs` (golden `outputs` of the last layer); the hex files named as given. */
export function axiTestbench(
  model: Model,
  core: string,
  inputs: readonly IntTensor[],
  outputs: readonly IntTensor[],
  options: { stall: number; seed: number; malformed?: boolean; cycleLimit?: number; beatsFile: string; expectFile: string },
): { tb: string; beatsHex: string; expectedHex: string; module: string } {
  if (options.malformed && inputs.length < 3) throw new Error("verifyAxi: a malformed run needs 3 inputs or more");
  const module = axisModuleName(core);
  const p = axisParams(model, core, module);
  const beats = inputBeats(inputs, p.inBits, options.malformed);
  const beatsHex = beats.map((b) => hexWord((BigInt(b.last ? 1 : 0) << BigInt(p.inTdataBits)) | b.word, p.inTdataBits + 1)).join("\n") + "\n";
  const expected = expectedBeats(outputs, p.outBits, options.malformed);
  const ot = BigInt(p.outTdataBits);
  const expectedHex =
    expected.map((e) => hexWord((BigInt(e.check ? 1 : 0) << (ot + 1n)) | (BigInt(e.last ? 1 : 0) << ot) | e.word, p.outTdataBits + 2)).join("\n") + "\n";
  const threshold = Math.min(4294967295, Math.floor(options.stall * 4294967296));
  const addr = (a: number) => `${p.axilAddrBits}'h${a.toString(16)}`;
  const tb = renderTestbench({
    top: module,
    beatsFile: options.beatsFile,
    expectFile: options.expectFile,
    beatCount: beats.length,
    outCount: expected.length,
    inTdataBits: p.inTdataBits,
    outTdataBits: p.outTdataBits,
    outKeepBits: p.outKeepBits,
    inKeepAll: `${p.inKeepBits}'b${"1".repeat(p.inKeepBits)}`,
    axilAddrBits: p.axilAddrBits,
    cycleLimit: options.cycleLimit ?? 2_000_000,
    seed: (options.seed | 1) >>> 0,
    stallEnabled: options.stall > 0 ? 1 : 0,
    stallThreshold: `32'd${threshold}`,
    ...Object.fromEntries(Object.entries(AXIL_REGISTERS).map(([name, a]) => [`${name}Addr`, addr(a)])),
  });
  return { tb, beatsHex, expectedHex, module };
}

/** Writes design, wrapper, vectors and testbench into `dir`; returns the rtl folder and the source list. */
export function prepareAxiRun(dir: string, model: Model, options: AxiRunOptions): { rtlDir: string; sources: string[]; tb: string; frames: number } {
  const { design, traces } = writeDesignFiles(dir, model, options.inputs);
  const wrapper = emitAxisTop(model, design.topModule);
  writeFileSync(join(dir, wrapper.path), wrapper.content);
  const simDir = join(dir, "axi");
  mkdirSync(simDir, { recursive: true });
  const beatsFile = join(simDir, "beats.hex");
  const expectFile = join(simDir, "expected.hex");
  const last = model.layers.length - 1;
  const t = axiTestbench(
    model,
    design.topModule,
    options.inputs,
    traces.map((g) => g.layers[last]),
    { ...options, beatsFile, expectFile },
  );
  writeFileSync(beatsFile, t.beatsHex);
  writeFileSync(expectFile, t.expectedHex);
  const tb = join(simDir, "axi_tb.v");
  writeFileSync(tb, t.tb);
  return { rtlDir: join(dir, "rtl"), sources: [...design.sources, `${wrapper.module}.v`], tb, frames: options.inputs.length };
}

/** Parses the testbench's AXI_* lines. */
export function parseAxiLog(log: string): Omit<AxiRunResult, "log"> {
  const result = /AXI_RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(log);
  const regs = /AXI_REGS ([0-9a-fx]+) ([0-9a-fx]+) ([0-9a-fx]+) (\d+) (\d+) (\d+) (\d+) (\d+) ([0-9a-fx]+)/i.exec(log);
  if (!result || !regs) throw new ToolError("axi testbench", "printed no result", undefined, tail(log));
  const n = result.slice(1).map(Number);
  const h = (s: string) => Number.parseInt(s, 16);
  return {
    beats: n[0],
    sent: n[1],
    accepted: n[2],
    expectedBeats: n[3],
    received: n[4],
    matched: n[5],
    mismatches: n[6],
    protocolErrors: n[7],
    timeout: /AXI_TIMEOUT/.test(log),
    registers: {
      id: h(regs[1]),
      version: h(regs[2]),
      status: h(regs[3]),
      framesOut: Number(regs[4]),
      lastFrameCycles: Number(regs[5]),
      frameIn: Number(regs[6]),
      frameOut: Number(regs[7]),
      framesIn: Number(regs[8]),
      statusAfterClear: h(regs[9]),
    },
    frameEnds: [...log.matchAll(/AXI_FRAME (\d+)/g)].map((m) => Number(m[1])),
  };
}

/** Generates, builds and runs the wrapper's testbench in `dir` (a fresh folder). */
export async function runAxi(dir: string, model: Model, options: AxiRunOptions): Promise<AxiRunResult> {
  const { rtlDir, sources, tb } = prepareAxiRun(dir, model, options);
  let log: string;
  if (options.sim === "icarus") {
    requireTool("iverilog");
    requireTool("vvp");
    const vvp = join(dir, "axi", "axi_tb.vvp");
    await runChecked("iverilog", ["-g2012", "-s", "axi_tb", "-o", vvp, tb, ...sources], { cwd: rtlDir, what: "iverilog compile" });
    const r = await run("vvp", ["-n", vvp], { cwd: rtlDir, timeoutMs: 30 * 60_000 });
    log = r.stdout + r.stderr;
  } else {
    requireTool("verilator");
    const obj = join(dir, "axi", "obj_dir");
    await runChecked(
      "verilator",
      ["--binary", "--timing", "-O2", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "axi_tb", "-Mdir", obj, tb, ...sources],
      { cwd: rtlDir, what: "verilator build" },
    );
    const r = await run(join(obj, "Vaxi_tb"), [], { cwd: rtlDir, timeoutMs: 30 * 60_000 });
    log = r.stdout + r.stderr;
  }
  return { ...parseAxiLog(log), log };
}
