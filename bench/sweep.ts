/**
 * Local sweep throughput (not a test: prints figures, asserts nothing).
 *   node dist/bench/sweep.js [model.json]
 * Points/s of `quantrtl sweep` without synthesis on a pool of 1 thread and of 2 (flows/sweep-runner.ts),
 * over 36 points of the model (PE 1,2,4 × SIMD 4,8,16 × mac, adder, xnor, shift on pynq-z2). Each
 * pool size runs the space twice: the first run counts the threads' start and the model's load
 * in each thread, the second is the steady rate. The two runs of each size must give the same
 * points (checked: a mismatch is printed, since a faster wrong sweep is no figure).
 * Then the same space distributed: redis-server and two `quantrtl worker` processes (see distributed()).
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseRedisUrl, queueExecutor } from "../src/flows/sweep-queue.js";
import { loadSweepModel } from "../src/flows/sweep-point.js";
import { PointRunner } from "../src/flows/sweep-runner.js";
import { resolveSpace, runSweep } from "../src/flows/sweep.js";

const file = resolve(process.argv[2] ?? "models/mnist-adder.json");
const model = loadSweepModel(file);
const list = (key: string, text: string) => ({ values: text.split(","), path: `--${key}` });
const grid = { pe: list("pe", "1,2,4"), simd: list("simd", "4,8,16"), datapaths: list("datapaths", "mac,adder,xnor,shift") };
const space = resolveSpace(model, { ...grid, boards: list("boards", "pynq-z2") });

async function measure(jobs: number): Promise<{ cold: number; warm: number; points: number; same: boolean; json: string }> {
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
    return {
      cold: points / cold.seconds,
      warm: points / warm.seconds,
      points,
      same: JSON.stringify(cold.result) === JSON.stringify(warm.result),
      json: JSON.stringify(cold.result),
    };
  } finally {
    await runner.close();
  }
}

console.log(`sweep bench: ${model.name}, ${availableParallelism()} core(s), node ${process.version}`);
const figures: Record<number, number> = {};
let reference = "";
for (const jobs of [1, 2]) {
  const r = await measure(jobs);
  reference = r.json;
  figures[jobs] = r.warm;
  console.log(
    `  --jobs ${jobs}: ${r.points} points, ${r.cold.toFixed(2)} points/s with the pool's start, ${r.warm.toFixed(2)} points/s steady${r.same ? "" : "  (RESULTS DIFFER between runs)"}`,
  );
}
console.log(`  speed-up of 2 jobs over 1 (steady): ${(figures[2] / figures[1]).toFixed(2)}×`);
const remote = await distributed(2, reference);
if (remote !== undefined) console.log(`  distributed (2 workers) over local --jobs 1 (steady): ${(remote / figures[1]).toFixed(2)}×`);

/**
 * Distributed: a redis-server on a free loopback port and `workers` `quantrtl worker` processes (one thread each),
 * the sweep enqueued through BullMQ as `sweep --redis` does. Jobs are content-addressed, so a space once run is
 * answered from Redis: the workers warm up on the same grid for another board, then the pynq-z2 space is timed.
 */
async function distributed(workers: number, reference: string): Promise<number | undefined> {
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) {
    console.log("  distributed: redis-server not installed (scripts/setup.sh installs it): not measured");
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), "qrtl-bench-redis-"));
  const children: ChildProcess[] = [];
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    return child;
  };
  const ready = (child: ChildProcess, text: string) =>
    new Promise<void>((done, fail) => {
      let seen = "";
      const look = (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(text)) done();
      };
      child.stdout?.on("data", look);
      child.stderr?.on("data", look);
      child.on("exit", (code) => fail(new Error(`${child.spawnfile} exited (${code}) before "${text}": ${seen.slice(-300)}`)));
    });
  try {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    await ready(
      start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir]),
      "Ready to accept connections",
    );
    const cli = resolve("dist/src/cli/main.js");
    await Promise.all(
      Array.from({ length: workers }, () =>
        ready(start(process.execPath, [cli, "worker", "--redis", url, "--jobs", "1", "--cache-dir", join(dir, "cache")]), "taking sweep points"),
      ),
    );
    const executor = await queueExecutor(parseRedisUrl(url));
    try {
      const warmSpace = resolveSpace(model, { ...grid, boards: list("boards", "kv260") });
      await runSweep(model, file, warmSpace, executor.execute, { synth: false, concurrency: Number.MAX_SAFE_INTEGER });
      const begin = performance.now();
      const result = await runSweep(model, file, space, executor.execute, { synth: false, concurrency: Number.MAX_SAFE_INTEGER });
      const seconds = (performance.now() - begin) / 1000;
      const points = result.points.length + result.notApplicable.length;
      const same = JSON.stringify(result) === reference;
      console.log(
        `  distributed, ${workers} workers × 1 thread: ${points} points, ${(points / seconds).toFixed(2)} points/s steady${same ? " (same JSON as local)" : "  (RESULTS DIFFER from the local run)"}`,
      );
      return points / seconds;
    } finally {
      await executor.close();
    }
  } finally {
    for (const c of children.reverse()) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => done(port));
    });
  });
}
