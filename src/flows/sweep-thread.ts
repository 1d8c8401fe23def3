/**
 * The pool thread of a sweep (piscina): estimates one point of a model it loads once
 * per file. Synthesis stays in the main thread, where the tools it starts are tracked
 * and stopped on a signal (util/interrupt.ts).
 */
import type { Model } from "../ir/model.js";
import { QuantrtlError } from "../util/errors.js";
import { estimatePoint, loadSweepModel, PointOutcome, PointTask } from "./sweep-point.js";

const models = new Map<string, Model>();

export default function estimateTask(task: PointTask): PointOutcome {
  try {
    return estimateLoaded(task);
  } catch (err) {
    if (!(err instanceof QuantrtlError)) throw err;
    return { inputError: { file: err.file, path: err.path, problem: err.problem, hint: err.hint } };
  }
}

function estimateLoaded(task: PointTask): PointOutcome {
  let model = models.get(task.modelFile);
  if (!model) models.set(task.modelFile, (model = loadSweepModel(task.modelFile)));
  if (model.hash !== task.modelHash)
    throw new QuantrtlError(
      task.modelFile,
      "",
      `is not the model of this sweep (hash ${model.hash}, the sweep's ${task.modelHash})`,
      "give every worker the same model file",
    );
  return estimatePoint(model, task.point);
}
