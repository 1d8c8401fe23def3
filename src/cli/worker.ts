/** `quantrtl worker --redis redis://host:port`: takes sweep points from the BullMQ queue until stopped (Ctrl-C, SIGTERM). */
import { parseRedisUrl, startWorker } from "../flows/sweep-queue.js";
import { defaultJobs } from "../flows/sweep-runner.js";
import { QuantrtlError } from "../util/errors.js";
import { Args, intFlag, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { progress } from "./print.js";
import { cacheDirArg } from "./sweep.js";

async function workerCommand(args: Args): Promise<number> {
  const redis = args.flags.get("redis");
  if (typeof redis !== "string") throw new QuantrtlError(undefined, "--redis", "is required", "write quantrtl worker --redis redis://host:port");
  const target = parseRedisUrl(redis);
  const jobs = intFlag(args, "jobs", defaultJobs(), 1, 1024);
  const lockMs = intFlag(args, "lock-seconds", 30, 1, 3600) * 1000;
  cacheDirArg(args);
  await startWorker(target, { jobs, lockMs, onProgress: progress });
  progress(`worker: taking sweep points from ${target.host}:${target.port} with ${jobs} thread(s)`);
  // the Redis connections keep the process alive; a signal ends it (util/interrupt.ts) and its jobs go back to the queue
  await new Promise<never>(() => undefined);
  return 0;
}

export const worker: CommandSpec = {
  name: "worker",
  usage: [
    "  quantrtl worker --redis redis://host:port [--jobs n] [--lock-seconds s] [--cache-dir DIR]",
    "                  (runs the points of `sweep --redis` on this machine; a job of a worker silent for s seconds is retried elsewhere;",
    "                  synthesis results are shared through the same Redis, and in DIR when given)",
  ].join("\n"),
  takesModel: false,
  flags: [value("redis", "url"), value("jobs", "n"), value("lock-seconds", "s"), value("cache-dir", "DIR")],
  run: workerCommand,
};
