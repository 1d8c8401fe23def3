/**
 * One worker of the golden dataset pool (flows/golden-pool.ts, run by piscina): the
 * model arrives once per worker (workerData), each task is a run of samples, and the
 * answer is their predicted classes, in order.
 */
import { workerData } from "node:worker_threads";
import type { Model } from "../ir/model.js";
import { predictSamples } from "./golden-pool.js";

const model = (workerData as { model: Model }).model;

export default function predict(task: { samples: Int32Array; count: number }): Int32Array {
  return predictSamples(model, task.samples, task.count);
}
