/**
 * The distributed sweep on BullMQ (Redis): `sweep --redis` enqueues one job per point
 * and collects the results; `quantrtl worker --redis` runs jobs on any machine. A job's
 * id is the point's content address (model hash + point + quantrtl version): adding a
 * point that is already done, or queued, adds nothing, so a restarted sweep reuses the
 * finished points. A worker that dies mid-job stops renewing its lock; BullMQ's stalled
 * check puts the job back in the queue for another worker. The model travels too: the sweep
 * stores its files in Redis under the model's hash (flows/model-bundle.ts) and each worker
 * writes them into its cache folder once, so workers need no shared disk and no copy of the model.
 */
// bullmq and ioredis are loaded when a sweep or worker talks to Redis, not at every CLI start (≈ 0.1 s)
const redisClient = async () => (await import("ioredis")).Redis;
const bullmq = () => import("bullmq");
import { QuantrtlError } from "../util/errors.js";
import type { SharedResultStore } from "../synth/cache.js";
import type { PointOutcome, PointTask } from "./sweep-point.js";
import type { PointExecutor } from "./sweep.js";
import { PointRunner } from "./sweep-runner.js";
import { bundleModel, materializeBundle, readFiles, writeFiles, type ModelBundle } from "./model-bundle.js";
import { toolCacheDir } from "../synth/cache.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgetFolder, trackFolder } from "../util/interrupt.js";

export const QUEUE_NAME = "quantrtl-sweep";
/** Finished points are kept this long, for a restarted sweep to reuse. */
const KEEP_SECONDS = 7 * 24 * 3600;
/** Where a sweep leaves its model's files for the workers (flows/model-bundle.ts), by model hash. */
export const modelKey = (hash: string) => `quantrtl:model:${hash}`;

export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
  readonly db?: number;
  readonly tls?: boolean;
}

/** redis://[user:password@]host:port[/db] (rediss:// for TLS); anything else is refused naming the flag. */
export function parseRedisUrl(text: string, flag = "--redis"): RedisTarget {
  const hint = "give redis://host:port, e.g. redis://127.0.0.1:6379";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QuantrtlError(undefined, flag, `"${text}" is not a URL`, hint);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new QuantrtlError(undefined, flag, `"${text}" is not a redis:// URL`, hint);
  if (!url.hostname) throw new QuantrtlError(undefined, flag, `"${text}" names no host`, hint);
  const port = url.port === "" ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, "");
  const db = dbText === "" ? undefined : Number(dbText);
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new QuantrtlError(undefined, flag, `"${dbText}" is not a database number`, hint);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port,
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(url.protocol === "rediss:" ? { tls: true } : {}),
  };
}

function connection(target: RedisTarget) {
  // BullMQ's blocking commands need maxRetriesPerRequest null
  return { host: target.host, port: target.port, password: target.password, db: target.db, ...(target.tls ? { tls: {} } : {}), maxRetriesPerRequest: null };
}

/** One PING without retries: an unreachable server is bad input (exit 1), not a hang. */
export async function checkRedis(target: RedisTarget, flag = "--redis"): Promise<void> {
  const Redis = await redisClient();
  const client = new Redis({ ...connection(target), lazyConnect: true, connectTimeout: 5000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new QuantrtlError(
      undefined,
      flag,
      `cannot reach Redis at ${target.host}:${target.port} (${(err as Error).message})`,
      "start redis-server there, or give another redis://host:port",
    );
  } finally {
    client.disconnect();
  }
}

/** Enqueues points and waits for their results; close() when the sweep is done. */
export async function queueExecutor(target: RedisTarget): Promise<{ execute: PointExecutor; close: () => Promise<void> }> {
  await checkRedis(target);
  const { Queue, QueueEvents } = await bullmq();
  const queue = new Queue<PointTask, QueuedOutcome>(QUEUE_NAME, { connection: connection(target) });
  const events = new QueueEvents(QUEUE_NAME, { connection: connection(target) });
  await events.waitUntilReady();
  // one listener per point in flight waits on these emitters: many points are not a leak
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  const Redis = await redisClient();
  const files = new Redis({ ...connection(target), maxRetriesPerRequest: 1 });
  files.on("error", () => undefined); // the queue reports a lost server
  const sent = new Map<string, Promise<unknown>>();
  // the model's files, once per model, before its first point; kept as long as the points
  const sendModel = (task: PointTask) =>
    once(sent, task.modelHash, () => files.set(modelKey(task.modelHash), JSON.stringify(bundleModel(task.modelFile)), "EX", KEEP_SECONDS));
  const execute: PointExecutor = async (task, id) => {
    await sendModel(task);
    const job = await queue.add("point", task, { jobId: id, attempts: 3, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
    // a point that failed in an earlier sweep is tried again (add() keeps the failed job as it is)
    if ((await job.getState()) === "failed") await job.retry("failed");
    const { designFiles, ...outcome } = (await job.waitUntilFinished(events)) as QueuedOutcome;
    if ("inputError" in outcome) {
      const e = outcome.inputError;
      throw new QuantrtlError(e.file, e.path, e.problem, e.hint);
    }
    // a proof's design folder comes back with its point: written where a local proof leaves it
    if (designFiles && task.verify) writeFiles(designFiles, task.verify.dir);
    return outcome as PointOutcome;
  };
  return {
    execute,
    close: async () => {
      await events.close();
      await queue.close();
      files.disconnect();
    },
  };
}

export interface WorkerOptions {
  readonly jobs: number;
  /** How long a job stays taken by a worker that stopped renewing its lock (it died) before it is retried. */
  readonly lockMs: number;
  readonly onProgress?: (message: string) => void;
}

/** A point's outcome as a job returns it: with --verify, the files of the proof's design folder ride along. */
type QueuedOutcome = PointOutcome & { readonly designFiles?: Readonly<Record<string, string>> };

/** The point with its proof in a folder of this machine's temp dir; the folder goes back with the result and is removed here. */
async function proveHere(runner: PointRunner, task: PointTask, verify: NonNullable<PointTask["verify"]>): Promise<QueuedOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "quantrtl-point-"));
  trackFolder(dir);
  try {
    const design = join(dir, "design");
    const outcome = await runner.run({ ...task, verify: { ...verify, dir: design } });
    return "figures" in outcome ? { ...outcome, designFiles: readFiles(design) } : outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    forgetFolder(dir);
  }
}

/** Redis hash of the results of one tool kind, keyed by the cache key (synth/cache.ts resultKey). */
export const cacheHash = (kind: string) => `quantrtl:tool-cache:${kind}`;

/** The synthesis cache shared through Redis: one hash per tool kind, field = cache key, value = the result's JSON. */
export async function redisResultStore(target: RedisTarget): Promise<SharedResultStore & { close: () => void }> {
  const Redis = await redisClient();
  const client = new Redis({ ...connection(target), maxRetriesPerRequest: 1 });
  client.on("error", () => undefined); // a lost server is a cache miss (synth/index.ts says so), not a crash
  return {
    where: `Redis at ${target.host}:${target.port}`,
    get: async (kind, key) => (await client.hget(cacheHash(kind), key)) ?? undefined,
    set: async (kind, key, json) => void (await client.hset(cacheHash(kind), key, json)),
    close: () => client.disconnect(),
  };
}

/**
 * Takes jobs until stopped: points on a local pool of `jobs` threads (the event loop stays free to renew the locks).
 * Synthesis results go through the same Redis, so a design one worker synthesized is not synthesized again by another.
 */
export async function startWorker(target: RedisTarget, options: WorkerOptions): Promise<{ close: () => Promise<void> }> {
  await checkRedis(target);
  const store = await redisResultStore(target);
  const { Worker } = await bullmq();
  const runner = new PointRunner(options.jobs, options.onProgress, store);
  const Redis = await redisClient();
  const models = new Redis({ ...connection(target), maxRetriesPerRequest: 1 });
  models.on("error", () => undefined); // BullMQ reports a lost server; the next GET fails the job, which is retried
  const local = new Map<string, Promise<string>>();
  // the sweep's model, written into this machine's cache folder from Redis once per model hash
  const modelFile = (task: PointTask): Promise<string> =>
    once(local, task.modelHash, async () => {
      const json = await models.get(modelKey(task.modelHash));
      // a sweep that sent no files (an older quantrtl) is read by its path, as before; the hash is checked either way
      if (json === null) return task.modelFile;
      const path = materializeBundle(JSON.parse(json) as ModelBundle, join(toolCacheDir("models"), task.modelHash));
      options.onProgress?.(`worker: model ${task.modelHash.slice(0, 12)} received (${path})`);
      return path;
    });
  const worker = new Worker<PointTask, QueuedOutcome>(
    QUEUE_NAME,
    async (job) => {
      options.onProgress?.(
        `worker: point ${job.id} started (${job.data.point.board} ${job.data.point.datapath} ${job.data.point.bits}b pe ${job.data.point.pe} simd ${job.data.point.simd})`,
      );
      try {
        const task = { ...job.data, modelFile: await modelFile(job.data) };
        return task.verify ? await proveHere(runner, task, task.verify) : await runner.run(task);
      } catch (err) {
        // the user's error travels back as data: the sweep prints it as its own
        if (err instanceof QuantrtlError) return { inputError: { file: err.file, path: err.path, problem: err.problem, hint: err.hint } };
        throw err;
      }
    },
    {
      connection: connection(target),
      concurrency: options.jobs,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: 2,
    },
  );
  worker.on("completed", (job) => options.onProgress?.(`worker: point ${job.id} done`));
  worker.on("error", (err) => options.onProgress?.(`worker: ${err.message}`));
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      await runner.close();
      store.close();
      models.disconnect();
    },
  };
}

/** One promise per key; a failed one is forgotten, so the next job asks again. */
function once<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}
