/**
 * The golden model over a dataset, on every core: the samples are cut into runs
 * of consecutive images, a piscina pool of worker threads (flows/golden-worker.ts,
 * the built file) predicts each run, and each run's classes land at its own
 * offset — the result is the same for any worker count and any finishing order.
 * One job runs in this thread, with no pool.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { argmaxIndex } from "../arith/elementwise.js";
import { goldenOutput } from "../hw/golden/network.js";
import { IntTensor, Model } from "../ir/model.js";
import { packageRoot } from "../util/paths.js";

/** The default worker count: one per core. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** The class an integer model predicts for one golden output (an argmax layer's index, or the argmax of the logits). */
export function predictedClass(model: Model, output: { data: Int32Array }): number {
  return model.layers[model.layers.length - 1].kind === "argmax" ? output.data[0] : argmaxIndex(output.data);
}

/** Predicted classes of `count` samples stored one after the other (HWC each) in `samples`. */
export function predictSamples(model: Model, samples: Int32Array, count: number): Int32Array {
  const { height, width, channels, bits } = model.input;
  const size = height * width * channels;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const x: IntTensor = { shape: [height, width, channels], bits, data: samples.subarray(i * size, (i + 1) * size) };
    out[i] = predictedClass(model, goldenOutput(model, x));
  }
  return out;
}

/** Runs small enough for a steady progress line and a balanced finish, large enough to amortize a message. */
function runLength(count: number, jobs: number): number {
  return Math.max(1, Math.min(256, Math.ceil(count / (jobs * 16))));
}

/**
 * Predicted classes of every input, on `jobs` worker threads (1: in this thread).
 * `onDone` hears the number of images finished so far.
 */
export async function predictDataset(model: Model, inputs: readonly IntTensor[], jobs: number, onDone?: (done: number) => void): Promise<Int32Array> {
  const count = inputs.length;
  const predictions = new Int32Array(count);
  const threads = Math.min(jobs, Math.ceil(count / runLength(count, jobs)));
  if (threads <= 1) {
    for (let i = 0; i < count; i++) {
      predictions[i] = predictedClass(model, goldenOutput(model, inputs[i]));
      onDone?.(i + 1);
    }
    return predictions;
  }
  const { Piscina } = await import("piscina");
  const pool = new Piscina({
    filename: join(packageRoot(), "dist", "src", "flows", "golden-worker.js"),
    workerData: { model },
    minThreads: threads,
    maxThreads: threads,
  });
  const size = model.input.height * model.input.width * model.input.channels;
  const step = runLength(count, jobs);
  let done = 0;
  try {
    const runs: Promise<void>[] = [];
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      const samples = new Int32Array(n * size);
      for (let i = 0; i < n; i++) samples.set(inputs[start + i].data, i * size);
      runs.push(
        pool.run({ samples, count: n }, { transferList: [samples.buffer] }).then((classes: Int32Array) => {
          predictions.set(classes, start);
          done += n;
          onDone?.(done);
        }),
      );
    }
    await Promise.all(runs);
  } finally {
    await pool.destroy();
  }
  return predictions;
}
