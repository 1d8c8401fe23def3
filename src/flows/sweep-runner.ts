/**
 * Runs points: their estimates on a pool of threads (piscina), their synthesis
 * (with --synth) and proof (with --verify) in this thread, where the tools are tracked. The local sweep and
 * `quantrtl worker` both run points through it.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { Piscina } from "piscina";
import type { Model } from "../ir/model.js";
import { packageRoot } from "../util/paths.js";
import { QuantrtlError } from "../util/errors.js";
import type { SharedResultStore } from "../synth/cache.js";
import { loadSweepModel, PointOutcome, PointTask, provePoint, synthesizePoint } from "./sweep-point.js";

/** The pool thread's module, built by tsc (a thread cannot run the TypeScript source). */
export function threadFile(): string {
  return join(packageRoot(), "dist", "src", "flows", "sweep-thread.js");
}

export function defaultJobs(): number {
  return Math.max(1, cpus().length);
}

export class PointRunner {
  private readonly pool: Piscina<PointTask, PointOutcome>;
  private readonly models = new Map<string, Model>();

  constructor(
    readonly jobs: number,
    private readonly onProgress?: (m: string) => void,
    /** Synthesis results shared with other machines (a worker's Redis), behind the file cache. */
    private readonly shared?: SharedResultStore,
  ) {
    this.pool = new Piscina({ filename: threadFile(), minThreads: 0, maxThreads: jobs, idleTimeout: 1000 });
  }

  /** The point's figures (or why it has none); a user error met in a thread is thrown here as a QuantrtlError. */
  async run(task: PointTask): Promise<PointOutcome> {
    const outcome = await this.pool.run(task);
    if ("inputError" in outcome) {
      const e = outcome.inputError;
      throw new QuantrtlError(e.file, e.path, e.problem, e.hint);
    }
    if ((!task.synth && !task.verify) || !("figures" in outcome)) return outcome;
    let model = this.models.get(task.modelFile);
    if (!model) this.models.set(task.modelFile, (model = loadSweepModel(task.modelFile)));
    let figures = outcome.figures;
    if (task.synth) figures = await synthesizePoint(model, task.point, figures, this.onProgress, this.shared);
    const proof = task.verify ? await provePoint(model, task.point, task.verify, this.onProgress) : undefined;
    return { figures: proof ? { ...figures, proof } : figures };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
