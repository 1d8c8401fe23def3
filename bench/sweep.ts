/**
 * Local sweep throughput (not a test: prints figures, asserts nothing).
 *   node dist/bench/sweep.js [model.json]
 * Points/s of `quantrtl sweep` without synthesis on a pool of 1 thread and of 2 (flows/sweep-runner.ts),
 * over 36 points of the model (PE 1,2,4 × SIMD 4,8,16 × mac, adder, xnor, shift on pynq-z2). Each
 * pool size runs the space twice: the first run counts the threads' start and the model's load
 * in each thread, the second is the steady rate. The two runs of each size must give the same
 * points (checked: a mismatch is printed, since a faster wrong sweep is no figure).
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { loadSweepModel } from "../src/flows/sweep-point.js";
import { PointRunner } from "../src/flows/sweep-runner.js";
import { resolveSpace, runSweep } from "../src/flows/sweep.js";

const file = resolve(process.argv[2] ?? "models/mnist-adder.json");
const model = loadSweepModel(file);
const list = (key: string, text: string) => ({ values: text.split(","), path: `--${key}` });
const space = resolveSpace(model, {
  pe: list("pe", "1,2,4"),
  simd: list("simd", "4,8,16"),
  datapaths: list("datapaths", "mac,adder,xnor,shift"),
  boards: list("boards", "pynq-z2"),
});

async function measure(jobs: number): Promise<{ cold: number; warm: number; points: number; same: boolean }> {
  const runner = new PointRunner(jobs);
  try {
    const once = async () => {
      const start = performance.now();
      const result = await runSweep(model, file, space, (task) => runner.run(task), { synth: false, concurrency: jobs });
      return { seconds: (performance.now() - start) / 1000, result };
    };
    const cold = await once();
    const warm = await once();
    const points = cold.result.points.length + cold.result.notApplicable.length;
    return { cold: points / cold.seconds, warm: points / warm.seconds, points, same: JSON.stringify(cold.result) === JSON.stringify(warm.result) };
  } finally {
    await runner.close();
  }
}

console.log(`sweep bench: ${model.name}, ${availableParallelism()} core(s), node ${process.version}`);
const figures: Record<number, number> = {};
for (const jobs of [1, 2]) {
  const r = await measure(jobs);
  figures[jobs] = r.warm;
  console.log(
    `  --jobs ${jobs}: ${r.points} points, ${r.cold.toFixed(2)} points/s with the pool's start, ${r.warm.toFixed(2)} points/s steady${r.same ? "" : "  (RESULTS DIFFER between runs)"}`,
  );
}
console.log(`  speed-up of 2 jobs over 1 (steady): ${(figures[2] / figures[1]).toFixed(2)}×`);
