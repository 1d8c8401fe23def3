/** `quantrtl sweep <model>`: a design space (space.json or flags) on a local thread pool, or on BullMQ workers with --redis. */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { useToolCacheRoot } from "../synth/cache.js";
import { readSpaceFile, resolveSpace, runSweep, SPACE_KEYS, SpaceKey, SpaceSource, sweepAccuracy } from "../flows/sweep.js";
import { loadDataset } from "../frontend/dataset.js";
import { defaultJobs, PointRunner } from "../flows/sweep-runner.js";
import { loadSweepModel, type PointTask } from "../flows/sweep-point.js";
import { defaultOutDir } from "../flows/gen.js";
import { parseRedisUrl, queueExecutor } from "../flows/sweep-queue.js";
import { accuracyText, openSweep } from "../report/sweep.js";
import { checkOutput } from "../util/output.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, DATA_FLAGS, datasetArg, flag, intFlag, outputOptions, printJson, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { DEFAULT_MODEL } from "./inputs.js";
import { progress } from "./print.js";

/** The flag of each dimension (`--boards`, `--datapaths`, `--bits`, `--pe`, `--simd`): a comma-separated list. */
function spaceSources(args: Args): Partial<Record<SpaceKey, SpaceSource>> {
  const file = args.flags.get("space");
  if (file === true) throw new QuantrtlError(undefined, "--space", "needs a value", "write --space space.json");
  const sources = file === undefined ? {} : readSpaceFile(file);
  for (const key of SPACE_KEYS) {
    const v = args.flags.get(key);
    if (v === undefined) continue;
    if (v === true || v.trim() === "")
      throw new QuantrtlError(
        undefined,
        `--${key}`,
        "needs a comma-separated list",
        `e.g. --${key} ${key === "boards" ? "pynq-z2,kv260" : key === "datapaths" ? "mac,adder" : "1,2,4"}`,
      );
    // a flag wins over the same dimension in the space file
    sources[key] = { values: v.split(",").map((s) => s.trim()), path: `--${key}` };
  }
  return sources;
}

/** --cache-dir DIR: the synthesis cache in a folder all workers see (created when missing). */
export function cacheDirArg(args: Args): void {
  const dir = args.flags.get("cache-dir");
  if (dir === undefined) return;
  if (dir === true || dir.trim() === "") throw new QuantrtlError(undefined, "--cache-dir", "needs a value", "write --cache-dir /shared/quantrtl-cache");
  let isDir = true;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // missing: created by the first result written
  }
  if (!isDir) throw new QuantrtlError(undefined, "--cache-dir", `${dir} is not a folder`, "give a folder (created when missing)");
  useToolCacheRoot(resolve(dir));
}

function localExecutor(jobs: number) {
  const runner = new PointRunner(jobs, progress);
  return { execute: (task: PointTask) => runner.run(task), close: () => runner.close() };
}

async function sweepCommand(args: Args): Promise<number> {
  const file = args.positional[0];
  if (!file) throw new QuantrtlError(undefined, "<model>", "no model file given", `e.g. quantrtl sweep ${DEFAULT_MODEL} --pe 1,2,4`);
  const model = loadSweepModel(file);
  const space = resolveSpace(model, spaceSources(args));
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : `${defaultOutDir(model)}-sweep`;
  const options = outputOptions(args);
  checkOutput(out, options); // refused before the points run, not after
  const jobs = intFlag(args, "jobs", defaultJobs(), 1, 1024);
  const synth = args.flags.has("synth");
  if (args.flags.has("cache-dir") && !synth) throw new QuantrtlError(undefined, "--cache-dir", "only applies with --synth", "add --synth");
  cacheDirArg(args);
  const redis = args.flags.get("redis");
  if (redis === true) throw new QuantrtlError(undefined, "--redis", "needs a value", "write --redis redis://host:port");
  if (redis !== undefined && args.flags.has("jobs")) throw new QuantrtlError(undefined, "--jobs", "does not apply with --redis", "give the workers --jobs n");
  const verify = args.flags.has("verify");
  for (const name of ["vectors", "seed"])
    if (!verify && args.flags.has(name)) throw new QuantrtlError(undefined, `--${name}`, "only applies with --verify", `add --verify, or leave out --${name}`);
  const proof = verify ? { vectors: intFlag(args, "vectors", 2, 1, 1000), seed: intFlag(args, "seed", 1, 0) } : undefined;
  const dataset = datasetArg(args);
  if (args.flags.has("limit") && dataset === undefined)
    throw new QuantrtlError(undefined, "--limit", "only applies with --dataset", "add --dataset mnist-test");
  const data = dataset && loadDataset(model, dataset, args.flags.has("limit") ? intFlag(args, "limit", 10000, 1) : undefined);
  // on this machine, before the points: a dataset that does not fit the model is refused first
  const accuracy = data && (await sweepAccuracy(model, space, data, redis === undefined ? jobs : defaultJobs(), progress));
  // with --redis, every point is queued at once and the workers take them; locally, the pool runs `jobs` at a time
  const executor = redis === undefined ? localExecutor(jobs) : await queueExecutor(parseRedisUrl(redis));
  let result;
  let paths;
  try {
    const folder = openSweep(out, model, options);
    try {
      const concurrency = redis === undefined ? jobs : Number.MAX_SAFE_INTEGER;
      result = await runSweep(model, resolve(file), space, executor.execute, {
        synth,
        ...(proof ? { verify: { ...proof, dir: folder.pointsDir } } : {}),
        ...(accuracy ? { accuracy } : {}),
        concurrency,
        onProgress: progress,
      });
    } catch (err) {
      folder.discard();
      throw err;
    }
    paths = folder.write(result);
  } finally {
    await executor.close();
  }
  const failed = result.points.filter((p) => p.proof && !p.proof.bitExact);
  if (args.flags.has("json")) {
    printJson(result);
    return failed.length > 0 ? 3 : 0;
  }
  const front = result.points.filter((p) => p.pareto);
  console.log(
    `${model.name}: ${result.points.length} points, ${result.points.filter((p) => p.fits).length} fit their board, ${front.length} on the Pareto front`,
  );
  for (const p of front)
    console.log(
      `  ${p.board} ${p.datapath} ${p.bits}b pe ${p.pe ?? "model"} simd ${p.simd ?? "model"}: ${p.framesPerSecond.toFixed(1)} frames/s, LUT ${p.lut}, power ${p.powerW.toFixed(3)} W${p.accuracy ? `, top-1 ${accuracyText(p)}` : ""}`,
    );
  for (const p of result.notApplicable) console.log(`not built: ${p.board} ${p.datapath} ${p.bits}b: ${p.reason}`);
  console.log(`sweep: ${paths.json}`);
  console.log(`sweep: ${paths.csv}`);
  console.log(`sweep: ${paths.html}`);
  if (proof) {
    const proved = result.points.filter((p) => p.proof);
    console.log(
      `proof: ${proved.length - failed.length}/${proved.length} points bit-exact on ${proof.vectors} seeded vector(s) (seed ${proof.seed}); designs in ${paths.dir}/points`,
    );
    for (const p of failed)
      console.log(`  NOT bit-exact: ${p.board} ${p.datapath} ${p.bits}b pe ${p.pe ?? "model"} simd ${p.simd ?? "model"}: ${p.proof?.firstMismatch}`);
  }
  return failed.length > 0 ? 3 : 0;
}

export const sweep: CommandSpec = {
  name: "sweep",
  usage: [
    "  quantrtl sweep <model.json> [--space space.json] [--pe 1,2,4] [--simd 4,8,16] [--datapaths mac,adder,xnor,shift]",
    "                 [--bits 8,16] [--boards pynq-z2,kv260] [--synth [--cache-dir DIR]] [--verify [--vectors n] [--seed s]]",
    "                 [--dataset data [--limit n]] [--jobs n | --redis redis://host:port] [--out DIR] [--force] [--json]",
    "                 (every point: cycles, frames/s, resources, power, fit; with --verify its bit-exact proof in Verilator, the design",
    "                 kept in DIR/points/<id>; with --dataset the top-1 of the points that keep the model's datapath and width;",
    "                 sweep.json, sweep.csv, sweep.html with the Pareto fronts)",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("space", "file"),
    value("pe", "list"),
    value("simd", "list"),
    value("datapaths", "list"),
    value("bits", "list"),
    value("boards", "list"),
    flag("synth"),
    value("cache-dir", "DIR"),
    flag("verify"),
    value("vectors", "n"),
    value("seed", "s"),
    ...DATA_FLAGS,
    value("limit", "n"),
    value("jobs", "n"),
    value("redis", "url"),
    value("out", "DIR"),
    flag("force"),
    flag("json"),
  ],
  run: sweepCommand,
};
