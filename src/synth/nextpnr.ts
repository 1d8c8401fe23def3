/**
 * iCE40 place and route with nextpnr-ice40 (@yowasp/nextpnr-ice40 from npm): real
 * Fmax and the critical path of a generated design. Yosys `synth_ice40 -dsp`
 * writes the netlist; nextpnr places it with unconstrained I/O (no board pins
 * are needed to time the core) and reports per-clock Fmax as JSON.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { generateDesign } from "../codegen/design.js";
import { makeTempDir, removeDir, writeFiles } from "../util/atomic.js";
import { packageRoot } from "../util/paths.js";
import { QuantrtlError, ToolError, tail } from "../util/errors.js";
import { run } from "../util/process.js";
import { synthCommand } from "./families.js";
import { readCached, resultKey, writeCached } from "./cache.js";

export interface PathStep {
  readonly type: string;
  readonly delayNs: number;
  readonly from: string;
  readonly to: string;
}

export interface PlaceResult {
  readonly board: string;
  readonly device: string;
  readonly fmaxMHz: number;
  readonly constraintMHz: number;
  readonly criticalPath: {
    readonly from: string;
    readonly to: string;
    readonly delayNs: number;
    readonly logicLevels: number;
    readonly steps: readonly PathStep[];
  };
  readonly seconds: number;
  readonly cached: boolean;
  readonly tool: string;
}

/** "iCE40UP5K-SG48" → ["--up5k", "--package", "sg48"]. */
export function nextpnrDeviceArgs(board: Board): string[] {
  const m = /^iCE40([A-Z0-9]+)-([A-Z0-9]+)$/i.exec(board.part);
  if (board.yosysFamily !== "ice40" || !m) {
    throw new QuantrtlError(
      undefined,
      "--board",
      `place and route is available for iCE40 boards only (${board.name} is ${board.family})`,
      "use --board icebreaker, or synthesis alone for other families",
    );
  }
  return [`--${m[1].toLowerCase()}`, "--package", m[2].toLowerCase()];
}

export function nextpnrVersion(): string {
  return `@yowasp/nextpnr-ice40 ${JSON.parse(readFileSync(join(packageRoot(), "node_modules", "@yowasp", "nextpnr-ice40", "package.json"), "utf8")).version}`;
}

function cliPath(): string {
  return join(packageRoot(), "dist", "src", "synth", "yowasp-cli.js");
}

export async function yowasp(tool: string, dir: string, args: string[], what: string): Promise<string> {
  const r = await run(process.execPath, [cliPath(), tool, dir, ...args], { cwd: dir, timeoutMs: 60 * 60_000 });
  const output = r.stdout + r.stderr;
  if (r.code !== 0) {
    const noRoom = /no BELs remaining|Unable to place cell|Failed to expand region/.exec(output);
    if (noRoom) {
      throw new QuantrtlError(
        undefined,
        "--board",
        `the design does not fit: ${
          output
            .split("\n")
            .find((l) => l.includes("ERROR"))
            ?.replace(/^ERROR:\s*/, "") ?? noRoom[0]
        }`,
        "fold it further (--pe/--simd, or --fold auto --board <board>)",
      );
    }
    throw new ToolError(tool, `${what} failed (exit ${r.code})`, `${tool} ${args.join(" ")}`, tail(output));
  }
  return output;
}

export interface NextpnrReport {
  fmax: Record<string, { achieved: number; constraint: number }>;
  critical_paths?: { from: string; to: string; path: { type: string; delay: number; from: { cell: string }; to: { cell: string } }[] }[];
}

/** Places and routes on the board's iCE40; `useDsp: false` keeps the multipliers in logic (as synthesis -nodsp). */
export async function placeAndRoute(model: Model, board: Board, onProgress?: (m: string) => void, options: { useDsp?: boolean } = {}): Promise<PlaceResult> {
  const device = nextpnrDeviceArgs(board);
  const design = generateDesign(model);
  const synth = `read_verilog ${design.sources.join(" ")}; ${synthCommand(board, design.topModule, options.useDsp ?? true)}; write_json netlist.json`;
  const pnrArgs = [
    ...device,
    "--json",
    "netlist.json",
    "--pcf-allow-unconstrained",
    "--freq",
    String(board.clockMHz),
    "--report",
    "report.json",
    "--seed",
    "1",
  ];
  const rtl = design.files.filter((f) => f.path.startsWith("rtl/"));
  const tool = `@yowasp/nextpnr-ice40 ${JSON.parse(readFileSync(join(packageRoot(), "node_modules", "@yowasp", "nextpnr-ice40", "package.json"), "utf8")).version}`;
  const key = resultKey([tool, synth, pnrArgs.join(" ")], rtl);
  const hit = readCached<PlaceResult>("pnr", key);
  if (hit) {
    onProgress?.(`nextpnr-ice40: reusing cached placement ${key}`);
    return hit;
  }
  const work = makeTempDir("quantrtl-pnr-");
  try {
    writeFiles(
      work,
      rtl.map((f) => ({ path: f.path.slice("rtl/".length), content: f.content })),
    );
    const start = Date.now();
    onProgress?.(`yosys: ${synthCommand(board, design.topModule, options.useDsp ?? true)} -> netlist.json`);
    await yowasp("yosys", work, ["-q", "-p", synth], "synthesis for place and route");
    onProgress?.(`nextpnr-ice40 ${pnrArgs.join(" ")}`);
    await yowasp("nextpnr-ice40", work, pnrArgs, "place and route");
    const report = JSON.parse(readFileSync(join(work, "report.json"), "utf8")) as NextpnrReport;
    const clocks = Object.entries(report.fmax);
    if (clocks.length === 0) throw new ToolError("nextpnr-ice40", "reported no clock", pnrArgs.join(" "));
    const [, fmax] = clocks[0];
    const worst = (report.critical_paths ?? [])[0];
    const steps: PathStep[] = (worst?.path ?? []).map((s) => ({ type: s.type, delayNs: s.delay, from: s.from.cell, to: s.to.cell }));
    const result: PlaceResult = {
      board: board.name,
      device: device.join(" "),
      fmaxMHz: fmax.achieved,
      constraintMHz: fmax.constraint,
      criticalPath: {
        from: steps[0]?.from ?? "",
        to: steps[steps.length - 1]?.to ?? "",
        delayNs: steps.reduce((s, x) => s + x.delayNs, 0),
        logicLevels: steps.filter((s) => s.type === "logic").length,
        steps,
      },
      seconds: (Date.now() - start) / 1000,
      cached: false,
      tool,
    };
    writeCached("pnr", key, result);
    return result;
  } finally {
    removeDir(work);
  }
}
