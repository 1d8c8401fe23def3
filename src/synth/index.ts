/**
 * Synthesis of generated RTL with Yosys: `yosys` on PATH when present, else
 * @yowasp/yosys (WebAssembly, from npm) in a child process. Results are cached
 * by the hash of the RTL (sources and ROM images), the command and the Yosys
 * version, so a design is synthesized once per change.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { generateDesign } from "../codegen/design.js";
import { makeTempDir, removeDir, writeFiles } from "../util/atomic.js";
import { packageRoot } from "../util/paths.js";
import { ToolError, tail } from "../util/errors.js";
import { hasTool, run } from "../util/process.js";
import { CellCounts, countCells, synthCommand } from "./families.js";
import { readCached, resultKey, SharedResultStore, writeCached } from "./cache.js";

export interface SynthResult extends CellCounts {
  readonly board: string;
  readonly top: string;
  readonly command: string;
  readonly yosys: string;
  readonly cells: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly cached: boolean;
}

function yosysFlavour(): { name: string; version: string } {
  if (hasTool("yosys")) return { name: "yosys", version: "yosys (PATH)" };
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "node_modules", "@yowasp", "yosys", "package.json"), "utf8")) as { version: string };
  return { name: "yowasp", version: `@yowasp/yosys ${pkg.version}` };
}

/**
 * A guard against a hung Yosys, not a budget: a ResNet-20 build with its
 * multipliers in logic runs for hours in the WebAssembly Yosys on a loaded
 * 2-core machine, and killing it would throw that work away.
 */
const SYNTH_TIMEOUT_MS = 12 * 3600_000;

/**
 * A long synthesis says it is still running after a minute and then every five.
 * (Yosys's log headers could name the pass, but with stdout a pipe the
 * WebAssembly build delivers them in one block at the end.)
 */
const PROGRESS_MINUTES = (minute: number): boolean => minute === 1 || minute % 5 === 0;

/** Runs Yosys in `dir` (where the sources and ROM images are) with a script; returns its output. */
async function runYosys(dir: string, script: string, flavour: string, onProgress?: (m: string) => void): Promise<string> {
  const args = ["-q", "-p", script];
  const [command, argv] =
    flavour === "yosys" ? ["yosys", args] : [process.execPath, [join(packageRoot(), "dist", "src", "synth", "yowasp-cli.js"), "yosys", dir, ...args]];
  if (flavour !== "yosys" && !existsSync(argv[0])) {
    throw new ToolError("yosys", "the @yowasp/yosys runner is not built", argv[0], "run `npm run setup`");
  }
  let minutes = 0;
  const ticker = onProgress
    ? setInterval(() => {
        if (PROGRESS_MINUTES(++minutes)) onProgress(`yosys: still running after ${minutes} min`);
      }, 60_000)
    : undefined;
  const r = await run(command, argv, { cwd: dir, timeoutMs: SYNTH_TIMEOUT_MS }).finally(() => clearInterval(ticker));
  if (r.code !== 0)
    throw new ToolError(
      "yosys",
      `synthesis failed (exit ${r.code})`,
      `${command} ${argv.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`,
      tail(r.stdout + r.stderr),
    );
  return r.stdout;
}

/** What a synthesis run is given: the design's RTL files and the Yosys script. */
function synthesisInput(model: Model, board: Board, useDsp: boolean) {
  const design = generateDesign(model);
  const command = synthCommand(board, design.topModule, useDsp);
  const script = `read_verilog ${design.sources.join(" ")}; ${command}; tee -q -o stat.json stat -json`;
  return { design, command, script, rtl: design.files.filter((f) => f.path.startsWith("rtl/")) };
}

/** A hash of the RTL (comments removed) and the Yosys script, independent of the Yosys build: whether a recorded synthesis is of today's design. */
export function synthesisInputKey(model: Model, board: Board, useDsp = true): string {
  const { script, rtl } = synthesisInput(model, board, useDsp);
  return resultKey([script], rtl);
}

/**
 * The cell counts of Yosys's `stat -json` output. A file that is not that JSON is a tool failure
 * (exit 2), not a crash: @yowasp/yosys 0.55 has written binary garbage there after a half-hour run
 * of a very large design, with exit status 0.
 */
export function parseYosysStat(text: string, script: string): Record<string, number> {
  let stat: unknown;
  try {
    stat = JSON.parse(text);
  } catch (err) {
    throw new ToolError("yosys", `wrote an unreadable stat.json (${(err as Error).message})`, script, text.slice(0, 200).replace(/[^\x20-\x7e\n]/g, "?"));
  }
  const design = (stat as { design?: { num_cells_by_type?: unknown } } | null)?.design;
  if (!design || typeof design !== "object") throw new ToolError("yosys", "wrote a stat.json without its design section", script, text.slice(0, 200));
  const cells = design.num_cells_by_type ?? {};
  if (typeof cells !== "object" || Object.values(cells as object).some((v) => typeof v !== "number"))
    throw new ToolError("yosys", "wrote a stat.json whose cell counts are not numbers", script, text.slice(0, 200));
  return cells as Record<string, number>;
}

/**
 * Synthesizes the model's RTL with Yosys for the board's FPGA family (results cached by content).
 * @returns LUT, FF, carry, DSP and BRAM counts and the latches Yosys inferred
 * @throws ToolError when Yosys fails
 */
export async function synthesize(
  model: Model,
  board: Board,
  onProgress?: (m: string) => void,
  options: { useDsp?: boolean; shared?: SharedResultStore } = {},
): Promise<SynthResult> {
  const { design, command, script, rtl } = synthesisInput(model, board, options.useDsp ?? true);
  const flavour = yosysFlavour();
  const key = resultKey([flavour.version, script], rtl);
  const hit = readCached<SynthResult>("synth", key);
  if (hit) {
    onProgress?.(`yosys: reusing cached synthesis ${key}`);
    return hit;
  }
  const shared = options.shared && (await readShared(options.shared, key, onProgress));
  if (shared) {
    onProgress?.(`yosys: reusing synthesis ${key} from ${options.shared!.where}`);
    writeCached("synth", key, shared);
    return { ...shared, cached: true };
  }
  const work = makeTempDir("quantrtl-synth-");
  try {
    writeFiles(
      work,
      rtl.map((f) => ({ path: f.path.slice("rtl/".length), content: f.content })),
    );
    onProgress?.(`yosys (${flavour.version}): ${command}`);
    const start = Date.now();
    await runYosys(work, script, flavour.name, onProgress);
    const statFile = join(work, "stat.json");
    if (!existsSync(statFile)) throw new ToolError("yosys", "wrote no stat.json", script, readdirSync(work).join(" "));
    const cells = parseYosysStat(readFileSync(statFile, "utf8"), script);
    const result: SynthResult = {
      board: board.name,
      top: design.topModule,
      command,
      yosys: flavour.version,
      cells,
      seconds: (Date.now() - start) / 1000,
      cached: false,
      ...countCells(board, cells),
    };
    writeCached("synth", key, result);
    if (options.shared) await writeShared(options.shared, key, result, onProgress);
    return result;
  } finally {
    removeDir(work);
  }
}

/** A result from the shared store; an unreachable store is a miss (synthesis runs here), said in one line. */
async function readShared(store: SharedResultStore, key: string, onProgress?: (m: string) => void): Promise<SynthResult | undefined> {
  try {
    const text = await store.get("synth", key);
    return text === undefined ? undefined : (JSON.parse(text) as SynthResult);
  } catch (err) {
    onProgress?.(`yosys: cannot read the shared cache at ${store.where} (${(err as Error).message}): synthesizing here`);
    return undefined;
  }
}

async function writeShared(store: SharedResultStore, key: string, result: SynthResult, onProgress?: (m: string) => void): Promise<void> {
  try {
    await store.set("synth", key, JSON.stringify(result));
  } catch (err) {
    onProgress?.(`yosys: cannot store the result in the shared cache at ${store.where} (${(err as Error).message})`);
  }
}
