/**
 * The open iCE40 flow to a bitstream: the model's top inside its UART harness
 * (codegen/board/uart.ts), Yosys synth_ice40, nextpnr-ice40 with the board's PCF
 * (clock, UART and LED pins), icepack. Every tool is the npm WebAssembly build,
 * run in a child process (yowasp-cli) so the caller's event loop stays free.
 * nextpnr runs with --timing-allow-fail: whether the clock is met is judged here,
 * from its report, so a miss can name the achieved Fmax and the critical path.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { generateDesign, GeneratedFile, modelIdentifier } from "../codegen/design.js";
import { DEFAULT_BAUD, UartClocking, UartFraming, uartHarness } from "../codegen/board/uart.js";
import { makeTempDir, removeDir, writeFiles } from "../util/atomic.js";
import { QuantrtlError, ToolError } from "../util/errors.js";
import { synthCommand } from "./families.js";
import { NextpnrReport, nextpnrDeviceArgs, nextpnrVersion, PathStep, yowasp } from "./nextpnr.js";
import { harnessPcf } from "./pcf.js";

export interface BitstreamOptions {
  readonly baud?: number;
  /** The clock the harness divides and nextpnr times against; default the board's. */
  readonly clockMHz?: number;
  readonly onProgress?: (m: string) => void;
}

export interface BitstreamResult {
  readonly name: string;
  readonly topModule: string;
  readonly bin: Uint8Array;
  readonly pcf: string;
  /** rtl/ of the design and its harness, as flashed. */
  readonly rtl: readonly GeneratedFile[];
  readonly nextpnrReport: string;
  readonly fmaxMHz: number;
  readonly constraintMHz: number;
  readonly timingMet: boolean;
  readonly criticalPath: { readonly from: string; readonly to: string; readonly delayNs: number; readonly steps: readonly PathStep[] };
  /** nextpnr's utilisation of the device, by bel type (ICESTORM_LC, ICESTORM_RAM, ICESTORM_DSP, …). */
  readonly utilisation: Readonly<Record<string, { readonly used: number; readonly available: number }>>;
  readonly clocking: UartClocking;
  readonly framing: UartFraming;
  /** Bytes of the SPRAM weights' load image the harness takes after configuration (0: every weight is a ROM). */
  readonly loadBytes: number;
  readonly tools: string;
  readonly seconds: number;
}

/** The first bytes icepack writes: 0xFF then the iCE40 preamble 0x7EAA997E (Lattice iCE40 programming and configuration, TN1248). */
export const ICE40_PREAMBLE = [0x7e, 0xaa, 0x99, 0x7e];

export async function buildBitstream(model: Model, board: Board, options: BitstreamOptions = {}): Promise<BitstreamResult> {
  const device = nextpnrDeviceArgs(board);
  const clockMHz = options.clockMHz ?? board.clockMHz;
  const design = generateDesign(model);
  const harness = uartHarness(model, design, clockMHz, options.baud ?? DEFAULT_BAUD);
  const pcf = harnessPcf(board, clockMHz);
  const name = modelIdentifier(model);
  const rtl = [...design.files, ...harness.files].filter((f) => f.path.startsWith("rtl/"));
  const work = makeTempDir("quantrtl-bitstream-");
  const start = Date.now();
  try {
    writeFiles(work, [...rtl.map((f) => ({ path: f.path.slice("rtl/".length), content: f.content })), { path: "board.pcf", content: pcf }]);
    // an iCE40 logic tile's 8 LCs share one clock enable: enables of fewer than 8 flip-flops go into
    // logic, else their many small control sets leave nextpnr no legal placement (mnist-xnor at 73 % of the LCs)
    const synth = `${synthCommand(board, harness.topModule, true)} -dffe_min_ce_use 8`;
    options.onProgress?.(`yosys: ${synth} -> netlist.json`);
    await yowasp("yosys", work, ["-q", "-p", `read_verilog ${harness.sources.join(" ")}; ${synth}; write_json netlist.json`], "synthesis for the bitstream");
    const pnr = [
      ...device,
      "--json",
      "netlist.json",
      "--pcf",
      "board.pcf",
      "--freq",
      String(clockMHz),
      "--asc",
      `${name}.asc`,
      "--report",
      "report.json",
      "--seed",
      "1",
      "--timing-allow-fail",
    ];
    options.onProgress?.(`nextpnr-ice40 ${pnr.join(" ")}`);
    await yowasp("nextpnr-ice40", work, pnr, "place and route");
    options.onProgress?.(`icepack ${name}.asc ${name}.bin`);
    await yowasp("icepack", work, [`${name}.asc`, `${name}.bin`], "bitstream packing");
    const reportText = readFileSync(join(work, "report.json"), "utf8");
    const report = JSON.parse(reportText) as NextpnrReport & { utilization?: Record<string, { used: number; available: number }> };
    const clock = Object.entries(report.fmax).find(([net]) => net === "clk" || net.endsWith("clk")) ?? Object.entries(report.fmax)[0];
    if (!clock) throw new ToolError("nextpnr-ice40", "reported no clock", pnr.join(" "));
    const worst = (report.critical_paths ?? [])[0];
    const steps: PathStep[] = (worst?.path ?? []).map((s) => ({ type: s.type, delayNs: s.delay, from: s.from.cell, to: s.to.cell }));
    const bin = new Uint8Array(readFileSync(join(work, `${name}.bin`)));
    return {
      name,
      topModule: harness.topModule,
      bin,
      pcf,
      rtl,
      nextpnrReport: reportText,
      fmaxMHz: clock[1].achieved,
      constraintMHz: clockMHz,
      timingMet: clock[1].achieved >= clockMHz,
      criticalPath: { from: steps[0]?.from ?? "", to: steps[steps.length - 1]?.to ?? "", delayNs: steps.reduce((s, x) => s + x.delayNs, 0), steps },
      utilisation: report.utilization ?? {},
      clocking: harness.clocking,
      framing: harness.framing,
      loadBytes: harness.loadBytes,
      tools: `@yowasp/yosys, ${nextpnrVersion()} (nextpnr-ice40, icepack)`,
      seconds: (Date.now() - start) / 1000,
    };
  } finally {
    removeDir(work);
  }
}

/** A timing miss as the user's error: the achieved Fmax against the clock, and the critical path. */
export function requireTiming(r: BitstreamResult): void {
  if (r.timingMet) return;
  const cp = r.criticalPath;
  throw new QuantrtlError(
    undefined,
    "--board",
    `timing not met: Fmax ${r.fmaxMHz.toFixed(2)} MHz < ${r.constraintMHz} MHz clock; critical path ${cp.delayNs.toFixed(2)} ns, ${cp.from} -> ${cp.to}`,
    "fold the design further (smaller --pe/--simd), or pass --allow-timing-miss to write the bitstream anyway",
  );
}
