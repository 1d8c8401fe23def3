import { availableParallelism } from "node:os";
/** Command-line arguments as a command sees them: the flags given, typed accessors with errors that name the flag. */
import { QuantrtlError } from "../util/errors.js";
import type { OutputOptions } from "../util/output.js";
import type { DatasetSpec } from "../frontend/dataset.js";
import { LAYOUTS, type Layout } from "../frontend/data/layout.js";

export interface Args {
  readonly command: string;
  readonly positional: string[];
  /** The flags given, in order, the last one winning: a value, or true for a boolean flag. */
  readonly flags: Map<string, string | true>;
}

/** One flag of a command: `--name <arg>` when it takes a value, `--name` when it is a switch. */
export interface FlagSpec {
  readonly name: string;
  /** The value's placeholder (`n`, `DIR`); absent for a boolean switch. */
  readonly arg?: string;
}

/** A flag that takes a value: `--pe 2` or `--pe=2`. */
export const value = (name: string, arg = "value"): FlagSpec => ({ name, arg });
/** A switch: `--json`, `--json=true`, `--json=false` (off). */
export const flag = (name: string): FlagSpec => ({ name });

/** Folding flags: --pe/--simd for every layer, or --fold auto for a board or a frames/s goal. */
export const FOLD_FLAGS: readonly FlagSpec[] = [
  value("pe", "n"),
  value("simd", "n"),
  value("fold", "auto"),
  value("board", "b"),
  value("fps", "f"),
  // where the weights live on a board with SPRAM (flows/spram.ts)
  value("weight-memory", "auto|rom|spram"),
];
/** --jobs n: worker threads for the golden model over a dataset (default: one per core). */
export const JOBS_FLAG = value("jobs", "n");
export function jobsArg(args: Args): number {
  return intFlag(args, "jobs", availableParallelism(), 1, 1024);
}
/** Every command that loads a model takes --max-memory (ir/budget.ts). */
export const MEMORY_FLAG = value("max-memory", "size");
/** --dataset and the flags that say how to read a data file (frontend/data). */
export const DATA_FLAGS: readonly FlagSpec[] = [
  value("dataset", "data"),
  value("x", "name"),
  value("y", "name"),
  value("labels", "file"),
  value("layout", "nchw|nhwc"),
];

export function intFlag(args: Args, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min || n > max) {
    throw new QuantrtlError(
      undefined,
      `--${name}`,
      `"${v}" is not a valid value`,
      max === Number.MAX_SAFE_INTEGER ? `give an integer >= ${min}` : `give an integer in [${min}, ${max}]`,
    );
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

/** --json: print the command's data as one JSON document on stdout (schemas/cli-<command>.schema.json). */
export function printJson(data: unknown): void {
  console.log(JSON.stringify(data, null, 2));
}

/** --dataset <name|file> (or `flag`, e.g. import's --calibrate) with --x/--y (npz arrays), --labels (npy/IDX labels) and --layout; undefined without it. */
export function datasetArg(args: Args, flag = "dataset"): DatasetSpec | undefined {
  const text = (name: string): string | undefined => {
    const v = args.flags.get(name);
    if (v === true) throw new QuantrtlError(undefined, `--${name}`, "needs a value", `write --${name} <value>`);
    return v;
  };
  const source = text(flag);
  if (source === undefined) {
    const stray = ["x", "y", "labels", "layout"].find((f) => args.flags.has(f));
    if (stray) throw new QuantrtlError(undefined, `--${stray}`, `only applies with --${flag}`, `add --${flag} <file>`);
    return undefined;
  }
  const layout = text("layout");
  if (layout !== undefined && !(LAYOUTS as readonly string[]).includes(layout.toLowerCase())) {
    throw new QuantrtlError(undefined, "--layout", `"${layout}" is not a layout`, `use ${LAYOUTS.join(" or ")}`);
  }
  return { source, x: text("x"), y: text("y"), labels: text("labels"), layout: layout?.toLowerCase() as Layout | undefined };
}
