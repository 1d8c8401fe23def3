/**
 * Design-space sweep: the space (space.json or flags) crossed into points, each point
 * run through an executor (the local thread pool, or BullMQ workers), the results put
 * back in the space's order and marked with their Pareto fronts. The result does not
 * depend on which executor ran it, nor on the order points finished in.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../ir/model.js";
import { boardNames, DEFAULT_BOARD } from "../ir/board.js";
import { DATAPATHS, type Datapath } from "../arith/datapath.js";
import { QuantrtlError } from "../util/errors.js";
import { packageVersion } from "../util/paths.js";
import type { SweepAccuracy, SweepPoint, SweepPointResult, SweepResult, SweepSpace } from "../report/sweep-types.js";
import type { DatasetInputs } from "../frontend/dataset.js";
import { measureAccuracy } from "./accuracy.js";
import { keepsOwnDatapath, modelDatapath, PointOutcome, PointTask, pointId } from "./sweep-point.js";
import { paretoFront, type Objective } from "./pareto.js";

export type SpaceKey = "boards" | "datapaths" | "bits" | "pe" | "simd";
export const SPACE_KEYS: readonly SpaceKey[] = ["boards", "datapaths", "bits", "pe", "simd"];

/** Where a list came from, for its errors: a flag (`--pe`) or a JSON pointer in the space file. */
export interface SpaceSource {
  readonly values: readonly unknown[];
  readonly file?: string;
  readonly path: string;
}

/** The widths a rebuilt mac / adder / shift engine may take. */
export const SWEEP_BITS = { min: 2, max: 16 } as const;
const MAX_POINTS = 10_000;

/** Reads space.json: an object of lists, each key optional; errors name the file and the JSON pointer. */
export function readSpaceFile(file: string): Partial<Record<SpaceKey, SpaceSource>> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read as JSON (${(err as Error).message})`;
    throw new QuantrtlError(file, "--space", reason, 'give a JSON file such as {"pe": [1, 2, 4], "datapaths": ["mac", "adder"]}');
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new QuantrtlError(file, "/", "is not a JSON object", `give an object with any of ${SPACE_KEYS.join(", ")}, each a list`);
  const out: Partial<Record<SpaceKey, SpaceSource>> = {};
  for (const [key, values] of Object.entries(doc)) {
    if (!(SPACE_KEYS as readonly string[]).includes(key)) throw new QuantrtlError(file, `/${key}`, "is not a sweep dimension", `use ${SPACE_KEYS.join(", ")}`);
    if (!Array.isArray(values) || values.length === 0)
      throw new QuantrtlError(
        file,
        `/${key}`,
        "is not a non-empty list",
        `e.g. "${key}": [${key === "boards" ? '"pynq-z2"' : key === "datapaths" ? '"mac", "adder"' : "1, 2"}]`,
      );
    out[key as SpaceKey] = { values, file, path: `/${key}` };
  }
  return out;
}

function fail(src: SpaceSource, index: number, problem: string, hint: string): never {
  throw new QuantrtlError(src.file, src.file ? `${src.path}/${index}` : src.path, problem, hint);
}

function integers(src: SpaceSource, min: number, max: number): number[] {
  return src.values.map((v, i) => {
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      fail(src, i, `${JSON.stringify(v)} is not an integer in [${min}, ${max}]`, `give integers in [${min}, ${max}]`);
    return n;
  });
}

function names<T extends string>(src: SpaceSource, allowed: readonly T[], what: string): T[] {
  return src.values.map((v, i) => {
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) fail(src, i, `${JSON.stringify(v)} is not ${what}`, `use ${allowed.join(", ")}`);
    return v as T;
  });
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** The space with its defaults: the default board, the model's own datapath and width, each engine's own folding. */
export function resolveSpace(model: Model, sources: Partial<Record<SpaceKey, SpaceSource>>): SweepSpace {
  const own = modelDatapath(model);
  let datapaths: Datapath[];
  if (sources.datapaths) datapaths = names(sources.datapaths, DATAPATHS, "a datapath");
  else if (own) datapaths = [own.datapath];
  else
    throw new QuantrtlError(
      model.file,
      "--datapaths",
      "the model's engines do not share one datapath and width",
      `name the datapaths to sweep: ${DATAPATHS.join(",")}`,
    );
  return {
    boards: unique(sources.boards ? names(sources.boards, boardNames(), "a board") : [DEFAULT_BOARD]),
    datapaths: unique(datapaths),
    bits: unique(sources.bits ? integers(sources.bits, SWEEP_BITS.min, SWEEP_BITS.max) : [null]),
    pe: unique(sources.pe ? integers(sources.pe, 1, 1 << 16) : [null]),
    simd: unique(sources.simd ? integers(sources.simd, 1, 1 << 16) : [null]),
  };
}

/** The points of a space, boards outermost and SIMD innermost; xnor takes 1 bit whatever the width, so its points appear once. */
export function expandSpace(model: Model, space: SweepSpace): SweepPoint[] {
  const own = modelDatapath(model);
  const points: SweepPoint[] = [];
  const seen = new Set<string>();
  for (const board of space.boards)
    for (const datapath of space.datapaths)
      for (const width of space.bits)
        for (const pe of space.pe)
          for (const simd of space.simd) {
            // no width given: the model's own for its datapath, 8 bits for a rebuild (as compare does)
            const bits = datapath === "xnor" ? 1 : (width ?? (own?.datapath === datapath ? own.bits : 8));
            const point: SweepPoint = { board, datapath, bits, pe, simd };
            const key = JSON.stringify(point);
            if (!seen.has(key)) (seen.add(key), points.push(point));
          }
  if (points.length > MAX_POINTS) throw new QuantrtlError(undefined, "--space", `${points.length} points are more than ${MAX_POINTS}`, "sweep fewer values");
  return points;
}

/** Runs one point somewhere (this machine's pool, a BullMQ worker) and gives its outcome. */
export type PointExecutor = (task: PointTask, id: string) => Promise<PointOutcome>;

export interface SweepOptions {
  readonly synth: boolean;
  /** Prove every point's RTL bit-exact on `vectors` seeded vectors, leaving its design in `dir`/<point id>. */
  readonly verify?: { readonly vectors: number; readonly seed: number; readonly dir: string };
  /** Points in flight at once (the pool queues the rest anyway; this bounds synthesis runs). */
  readonly concurrency: number;
  /** With --dataset: the top-1 of the model's own datapath and width (sweepAccuracy), given to every point that keeps them. */
  readonly accuracy?: SweepAccuracy;
  readonly onProgress?: (message: string) => void;
}

/** Why a rebuilt point has no accuracy: withDatapath converts the shapes for counting, not the trained weights. */
export const REBUILD_NO_ACCURACY = "rebuild: weights not converted";

/**
 * The integer top-1 of the model on a dataset, for the points that keep its datapath and width. Folding
 * (PE, SIMD) and the board do not change the numbers, so one golden pass serves all of them.
 */
export async function sweepAccuracy(
  model: Model,
  space: SweepSpace,
  data: DatasetInputs,
  jobs: number,
  onProgress?: (m: string) => void,
): Promise<SweepAccuracy> {
  // given to no point (each is a rebuild, marked REBUILD_NO_ACCURACY): no golden pass
  if (!expandSpace(model, space).some((p) => keepsOwnDatapath(model, p))) return { notMeasured: "no point keeps the model's own datapath and width" };
  if (!data.labels) throw new QuantrtlError(data.name, "--dataset", "has no labels", "give a dataset with labels (--labels, --y) for accuracy");
  // the integer model only: a sweep compares hardware points, and the float reference does not change with them
  const { floatImages: _float, ...integerOnly } = data;
  const r = await measureAccuracy(model, integerOnly, onProgress, { jobs });
  return { dataset: data.name, images: r.images, integerTop1: r.integerTop1! };
}

const FPS: Objective<SweepPointResult> = { value: (p) => p.framesPerSecond, better: "higher" };
const LUT: Objective<SweepPointResult> = { value: (p) => p.lut, better: "lower" };
const POWER: Objective<SweepPointResult> = { value: (p) => p.powerW, better: "lower" };

const ACCURACY: Objective<SweepPointResult> = {
  value: (p) => (p.accuracy && "integerTop1" in p.accuracy ? p.accuracy.integerTop1 : undefined),
  better: "higher",
};

/**
 * Marks the fronts among the points that fit their board: frames/s against LUT, power and (where both
 * points have it) accuracy together, and frames/s against LUT and against power alone.
 */
export function markPareto(points: readonly Omit<SweepPointResult, "pareto" | "paretoLut" | "paretoPower">[]): SweepPointResult[] {
  const open = points.map((p) => ({ ...p, pareto: false, paretoLut: false, paretoPower: false }));
  const fits = (p: SweepPointResult) => p.fits;
  const all = paretoFront(open, [FPS, LUT, POWER, ACCURACY], fits);
  const lut = paretoFront(open, [FPS, LUT], fits);
  const power = paretoFront(open, [FPS, POWER], fits);
  return open.map((p, i) => ({ ...p, pareto: all[i], paretoLut: lut[i], paretoPower: power[i] }));
}

/** The folder of the sweep's output that holds one design folder per proved point. */
export const POINTS_DIR = "points";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Every point of the space through `execute`, at most `concurrency` at once; the result in the space's order. */
export async function runSweep(model: Model, modelFile: string, space: SweepSpace, execute: PointExecutor, options: SweepOptions): Promise<SweepResult> {
  const points = expandSpace(model, space);
  const outcomes: PointOutcome[] = new Array(points.length);
  const started = Date.now();
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < points.length) {
      const i = next++;
      const point = points[i];
      const id = pointId(model.hash, point, options.synth, options.verify);
      const verify = options.verify && {
        vectors: options.verify.vectors,
        seed: options.verify.seed,
        dir: join(options.verify.dir, id),
        designDir: `${POINTS_DIR}/${id}`,
      };
      outcomes[i] = await execute({ modelFile, modelHash: model.hash, point, synth: options.synth, ...(verify ? { verify } : {}) }, id);
      done++;
      const elapsed = Date.now() - started;
      const eta = done < points.length ? `, ETA ${seconds((elapsed / done) * (points.length - done))}` : "";
      options.onProgress?.(`sweep: ${done}/${points.length} points, ${seconds(elapsed)}${eta}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, points.length)) }, lane));
  const results: Omit<SweepPointResult, "pareto" | "paretoLut" | "paretoPower">[] = [];
  const notApplicable: (SweepPoint & { reason: string })[] = [];
  points.forEach((point, i) => {
    const o = outcomes[i];
    if (!("figures" in o)) {
      if ("notApplicable" in o) notApplicable.push({ ...point, reason: o.notApplicable });
      return;
    }
    const accuracy = options.accuracy && (keepsOwnDatapath(model, point) ? options.accuracy : { notMeasured: REBUILD_NO_ACCURACY });
    results.push({ id: pointId(model.hash, point, options.synth, options.verify), ...point, ...o.figures, ...(accuracy ? { accuracy } : {}) });
  });
  return { quantrtlSweep: 1, version: packageVersion(), model: { name: model.name, hash: model.hash }, space, points: markPareto(results), notApplicable };
}
