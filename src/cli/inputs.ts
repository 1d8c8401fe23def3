/** The model and board a command works on, with --pe/--simd or --fold auto applied. */
import { loadModel } from "../ir/load.js";
import { defaultMemoryBudget, MemoryBudget, parseMemorySize, Workload } from "../ir/budget.js";
import { engineLayers, Folding, Model } from "../ir/model.js";
import { Board, DEFAULT_BOARD, loadBoard } from "../ir/board.js";
import { chooseFolding, FoldTarget } from "../flows/fold.js";
import { hasSpram, placeWeights, WeightMemoryChoice } from "../flows/spram.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, intFlag, numberFlag } from "./args.js";
import { progress } from "./print.js";
import { isOnnxPath, loadOnnxModel } from "../frontend/onnx/load.js";

export const DEFAULT_MODEL = "models/conv3x3-adder-int8.json";
/** The main job's model: the AdderNet LeNet trained on MNIST (npm run train) and quantized. */
export const DEMO_MODEL = "models/mnist-adder.json";

export function modelArg(args: Args): Model {
  return weightMemoryArg(args, foldedModelArg(args));
}

function weightMemoryChoice(args: Args): WeightMemoryChoice {
  const v = args.flags.get("weight-memory");
  if (v !== undefined && v !== "auto" && v !== "rom" && v !== "spram")
    throw new QuantrtlError(undefined, "--weight-memory", `"${v}" is not a weight memory`, "use auto, rom or spram");
  return v ?? "auto";
}

/**
 * --weight-memory auto|rom|spram: with a board (--board) that has SPRAM, which engines keep their
 * weights in loadable SPRAM (flows/spram.ts); without --board nothing changes (auto).
 */
function weightMemoryArg(args: Args, model: Model): Model {
  const choice = weightMemoryChoice(args);
  if (!args.flags.has("board") && choice === "auto") return model;
  const placed = placeWeights(model, boardArg(args), choice);
  if (placed.reason) progress(`on-chip memory for ${placed.spram.length ? "SPRAM weights (loaded after configuration)" : "block RAM"}: ${placed.reason}`);
  return placed.model;
}

function foldedModelArg(args: Args): Model {
  const file = args.positional[0];
  if (!file) throw new QuantrtlError(undefined, "<model>", "no model file given", `e.g. quantrtl ${args.command} ${DEFAULT_MODEL}`);
  const arch: Partial<Folding> = {};
  if (args.flags.has("pe")) (arch as { pe?: number }).pe = intFlag(args, "pe", 1, 1);
  if (args.flags.has("simd")) (arch as { simd?: number }).simd = intFlag(args, "simd", 1, 1);
  const options = { arch, memoryBudget: memoryBudgetArg(args), workload: workloadOf(args) };
  // an .onnx is imported in memory: the same model `quantrtl import` would write
  const model = isOnnxPath(file) ? loadOnnx(file, options) : loadModel(file, options);
  const fold = args.flags.get("fold");
  if (fold === undefined) {
    if (args.flags.has("fps")) throw new QuantrtlError(undefined, "--fps", "only applies with --fold auto", "add --fold auto");
    return model;
  }
  if (fold !== "auto")
    throw new QuantrtlError(undefined, "--fold", `"${fold}" is not a folding strategy`, "use --fold auto (or --pe/--simd for a fixed folding)");
  if (args.flags.has("pe") || args.flags.has("simd"))
    throw new QuantrtlError(undefined, "--fold", "cannot be combined with --pe / --simd", "use one or the other");
  const target: FoldTarget = args.flags.has("fps") ? { kind: "fps", fps: numberFlag(args, "fps", 1, 1e-6, 1e12) } : { kind: "max" };
  const board = boardArg(args);
  // on a board with SPRAM each candidate folding is costed with its memories placed as they will be
  const memory = weightMemoryChoice(args);
  const place = hasSpram(board) && memory !== "rom" ? (m: Model) => placeWeights(m, board, memory).model : undefined;
  const choice = chooseFolding(model, board, target, undefined, place);
  progress(
    `folding for ${boardArg(args).name}: ${engineLayers(choice.model)
      .map((l) => `${l.name} pe ${l.arch.pe} simd ${l.arch.simd}`)
      .join(", ")} (${choice.reason})`,
  );
  return choice.model;
}

/** --max-memory <size> (512M, 4G, bytes), or the default: half the free memory, at most 4 GiB. */
export function memoryBudgetArg(args: Args): MemoryBudget {
  const v = args.flags.get("max-memory");
  if (v === undefined) return defaultMemoryBudget();
  const bytes = typeof v === "string" ? parseMemorySize(v) : undefined;
  if (bytes === undefined)
    throw new QuantrtlError(
      undefined,
      "--max-memory",
      `"${v}" is not a memory size`,
      "give bytes or a whole size in K, M, G or T (powers of 1024), e.g. 512M or 4G",
    );
  return { bytes, source: `--max-memory ${v}` };
}

/** What the command runs, for the memory check at load: the vectors gen/verify/build keep, the text they write. */
function workloadOf(args: Args): Workload {
  const writesVectors = ["gen", "verify", "build"].includes(args.command) || (args.command === "report" && args.flags.has("verify"));
  // build's default of 10 vectors (cli/build.ts); the others run 1 unless --vectors says more
  const vectors = args.flags.has("vectors") ? intFlag(args, "vectors", 1, 1, 10000) : args.command === "build" ? 10 : 1;
  return { vectors, vectorFiles: writesVectors, jsonTrace: args.command === "run" && args.flags.has("json") && !args.flags.has("dataset") };
}

export function boardArg(args: Args): Board {
  const b = args.flags.get("board");
  return loadBoard(typeof b === "string" ? b : DEFAULT_BOARD);
}

function loadOnnx(file: string, options: Parameters<typeof loadOnnxModel>[1]): Model {
  const { model, warnings } = loadOnnxModel(file, options);
  for (const w of warnings) progress(`warning: ${w}`);
  return model;
}
