/** Command-line arguments: flags per command, typed accessors with errors that name the flag. */
import { QuantrtlError } from "../util/errors.js";
import type { OutputOptions } from "../util/output.js";
import type { DatasetSpec } from "../frontend/dataset.js";
import { LAYOUTS, type Layout } from "../frontend/data/layout.js";

export interface Args {
  readonly command: string;
  /** `quantrtl <command> --help` (or -h): print that command's usage instead of running it. */
  readonly help?: boolean;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

const FOLD = ["pe", "simd", "fold", "board", "fps"];
/** --dataset and the flags that say how to read a data file (frontend/data). */
const DATA = ["dataset", "x", "y", "labels", "layout"];
const FLAGS: Record<string, readonly string[]> = {
  check: [...FOLD],
  run: ["input", "seed", "json", "pe", "simd", "limit", ...DATA],
  gen: ["out", "force", "vectors", "seed", ...FOLD],
  verify: ["sim", "vectors", "backpressure", "seed", "out", "force", "rtl", ...DATA, ...FOLD],
  build: ["out", "force", "vectors", "limit", "backpressure", "seed", "sim", "synth", "no-synth", ...DATA, ...FOLD],
  synth: ["json", ...FOLD],
  compare: ["kernels", "synth", "json", ...FOLD],
  report: ["out", "force", "synth", "verify", "vectors", "seed", ...FOLD],
  sim: ["arch", "json", "rows", "cols", "dataflow", "workload", "keep", "keep-from", "kernel", ...FOLD],
  demo: ["vectors", "backpressure", "seed", "limit", "board", "synth", "no-synth", "sim", "force"],
};
const BOOLEAN_FLAGS = new Set(["json", "synth", "no-synth", "verify", "force"]);

export function parseArgs(argv: string[]): Args {
  const [command = "help", ...rest] = argv;
  if (command in FLAGS && rest.some((a) => a === "--help" || a === "-h")) return { command, positional: [], flags: new Map(), help: true };
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split("=", 2);
      if (BOOLEAN_FLAGS.has(name)) {
        // --json=false is off, as a reader of it expects; any other value is refused rather than read as on
        if (inline === undefined || inline === "true") flags.set(name, true);
        else if (inline === "false") flags.delete(name);
        else throw new QuantrtlError(undefined, `--${name}`, `"${inline}" is not a valid value`, `write --${name} (on), --${name}=true or --${name}=false`);
      }
      else if (inline !== undefined) flags.set(name, inline);
      else if (i + 1 < rest.length && !rest[i + 1].startsWith("--")) flags.set(name, rest[++i]);
      else throw new QuantrtlError(undefined, `--${name}`, "needs a value", `write --${name} <value>`);
    } else positional.push(a);
  }
  const maxPositional = command in FLAGS && command !== "demo" ? 1 : 0;
  if (command in FLAGS && positional.length > maxPositional) {
    throw new QuantrtlError(undefined, positional[maxPositional], "is an unexpected argument", command === "demo" ? "demo takes no model" : `${command} takes one model file`);
  }
  // every command that loads a model takes --max-memory (ir/budget.ts)
  const allowed = FLAGS[command] && [...FLAGS[command], "max-memory"];
  if (allowed) {
    for (const name of flags.keys()) {
      if (!allowed.includes(name)) throw new QuantrtlError(undefined, `--${name}`, `is not an option of "${command}"`, `options: ${allowed.map((f) => "--" + f).join(" ") || "none"}`);
    }
  }
  return { command, positional, flags };
}

export function intFlag(args: Args, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min || n > max) {
    throw new QuantrtlError(undefined, `--${name}`, `"${v}" is not a valid value`, max === Number.MAX_SAFE_INTEGER ? `give an integer >= ${min}` : `give an integer in [${min}, ${max}]`);
  }
  return n;
}

export function numberFlag(args: Args, name: string, fallback: number, min: number, max: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < min || n > max) {
    throw new QuantrtlError(undefined, `--${name}`, `"${v}" is not a valid value`, `give a number in [${min}, ${max}]`);
  }
  return n;
}

/** How the command may write its --out folder: --force, and the model file, whose folder is never replaced. */
export function outputOptions(args: Args): OutputOptions {
  return { flag: "--out", force: args.flags.has("force"), protect: args.positional.slice(0, 1) };
}

/** --dataset <name|file> with --x/--y (npz arrays), --labels (npy/IDX labels) and --layout; undefined without --dataset. */
export function datasetArg(args: Args): DatasetSpec | undefined {
  const text = (name: string): string | undefined => {
    const v = args.flags.get(name);
    if (v === true) throw new QuantrtlError(undefined, `--${name}`, "needs a value", `write --${name} <value>`);
    return v;
  };
  const source = text("dataset");
  if (source === undefined) {
    const stray = ["x", "y", "labels", "layout"].find((f) => args.flags.has(f));
    if (stray) throw new QuantrtlError(undefined, `--${stray}`, "only applies with --dataset", "add --dataset <file>");
    return undefined;
  }
  const layout = text("layout");
  if (layout !== undefined && !(LAYOUTS as readonly string[]).includes(layout.toLowerCase())) {
    throw new QuantrtlError(undefined, "--layout", `"${layout}" is not a layout`, `use ${LAYOUTS.join(" or ")}`);
  }
  return { source, x: text("x"), y: text("y"), labels: text("labels"), layout: layout?.toLowerCase() as Layout | undefined };
}
