/** `quantrtl run <model>`: the golden model on one input (random, seeded or a file), or top-1 accuracy on a dataset. */
import { goldenTrace } from "../flows/gen.js";
import { loadInputFile, randomTensor } from "../ir/inputs.js";
import { loadDataset } from "../frontend/dataset.js";
import { accuracyLine, measureAccuracy } from "../flows/accuracy.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, DATA_FLAGS, datasetArg, flag, intFlag, JOBS_FLAG, jobsArg, MEMORY_FLAG, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { modelArg } from "./inputs.js";
import { progress } from "./print.js";

async function run(args: Args): Promise<number> {
  const model = modelArg(args);
  const dataset = datasetArg(args);
  if (args.flags.has("limit") && dataset === undefined)
    throw new QuantrtlError(undefined, "--limit", "only applies with --dataset", "add --dataset mnist-test");
  if (dataset !== undefined) {
    if (args.flags.has("input")) throw new QuantrtlError(undefined, "--input", "cannot be combined with --dataset", "use one or the other");
    const data = loadDataset(model, dataset, args.flags.has("limit") ? intFlag(args, "limit", 10000, 1) : undefined);
    progress(`${data.name}: ${data.count} images (${data.reading})`);
    const r = await measureAccuracy(model, data, progress, { jobs: jobsArg(args) });
    if (args.flags.has("json")) {
      const { integerPredictions: _i, floatPredictions: _f, ...figures } = r;
      console.log(JSON.stringify({ model: model.name, hash: model.hash, ...figures }));
      return 0;
    }
    console.log(accuracyLine(r));
    return 0;
  }
  const input = args.flags.has("input") ? loadInputFile(String(args.flags.get("input")), model.input) : randomTensor(model.input, intFlag(args, "seed", 1, 0));
  const trace = goldenTrace(model, input);
  if (args.flags.has("json")) {
    // one line: a frame's values are many thousands of numbers
    console.log(
      JSON.stringify({
        model: model.name,
        hash: model.hash,
        layers: model.layers.map((l, i) => ({
          name: l.name,
          shape: trace.layers[i].shape,
          bits: trace.layers[i].bits,
          data: Array.from(trace.layers[i].data),
        })),
      }),
    );
    return 0;
  }
  model.layers.forEach((l, i) => {
    const d = trace.layers[i].data;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (const v of d) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    console.log(
      `${l.name}: ${trace.layers[i].shape.join("x")} values in [${lo}, ${hi}], mean ${(sum / d.length).toFixed(3)}, first ${Array.from(d.slice(0, 8)).join(" ")}`,
    );
  });
  return 0;
}

export const runCommand: CommandSpec = {
  name: "run",
  usage: [
    "  quantrtl run    <model.json> [--input file.json] [--seed n] [--json]",
    "  quantrtl run    <model.json> --dataset <data> [--limit n] [--jobs n] [--json]   (float and integer top-1;",
    "                  --jobs: golden worker threads, default one per core)",
    "                  (<data>: mnist-test, mnist-train, file.npz [--x name --y name], images.npy",
    "                  [--labels labels.npy], IDX images [--labels file]; [--layout nchw|nhwc])",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("input", "file"),
    value("seed", "n"),
    flag("json"),
    value("pe", "n"),
    value("simd", "n"),
    value("limit", "n"),
    JOBS_FLAG,
    ...DATA_FLAGS,
    MEMORY_FLAG,
  ],
  run,
};
