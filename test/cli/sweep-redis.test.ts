/**
 * The distributed sweep against a real redis-server (started here on a free loopback port,
 * in a temp folder): two `quantrtl worker` processes, one killed (SIGKILL) while it runs a
 * point; the sweep still completes, and its JSON equals the local pool's run of the same
 * space (the second implementation). A restarted sweep reuses every finished point.
 * Skipped when redis-server is missing, unless CI=true, where a missing tool fails.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, test } from "vitest";
import { CLI, ROOT, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { writeTinyDense } from "../helpers/board-models.js";

const hasRedis = spawnSync("sh", ["-c", "command -v redis-server"]).status === 0;
const inCi = process.env.CI === "true";
const MODEL = "models/mnist-adder.json";
// 2 pe × 3 simd × 2 datapaths = 12 points
const SPACE = ["--pe", "1,2", "--simd", "4,8,16", "--datapaths", "mac,adder"];

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

function start(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
  started.push(child);
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  return Object.assign(child, { output: () => text });
}

/** Resolves once `check` holds on the child's output (polled, the event loop stays free); rejects when the child exits first. */
function waitFor(child: ChildProcess & { output: () => string }, check: (text: string) => boolean, what: string): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const timer = setInterval(() => {
      if (check(child.output())) {
        clearInterval(timer);
        resolveWait();
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        reject(new Error(`${what}: exited first:\n${child.output().slice(-2000)}`));
      }
    }, 50);
  });
}

describe.skipIf(!hasRedis && !inCi)("quantrtl sweep --redis with quantrtl worker", () => {
  test("two workers, one killed mid-point: every point arrives and equals the local run; a restart reuses them", async () => {
    expect(hasRedis, "redis-server is not installed (scripts/setup.sh installs it)").toBe(true);
    const dir = testDir("quantrtl-redis-");
    const port = await freePort();
    const redis = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], dir);
    await waitFor(redis, (t) => t.includes("Ready to accept connections"), "redis-server");
    const url = `redis://127.0.0.1:${port}`;
    const worker = () => start(process.execPath, [CLI, "worker", "--redis", url, "--jobs", "1", "--lock-seconds", "2"], ROOT);
    const doomed = worker();
    const survivor = worker();
    await Promise.all([doomed, survivor].map((w) => waitFor(w, (t) => t.includes("taking sweep points"), "worker")));
    const sweep = start(process.execPath, [CLI, "sweep", MODEL, ...SPACE, "--redis", url, "--out", join(dir, "remote"), "--json"], ROOT);
    // the doomed worker is killed while it computes its first point (one thread: the point is in flight)
    await waitFor(doomed, (t) => t.includes("started"), "first point on the doomed worker");
    doomed.kill("SIGKILL");
    const code = await new Promise<number | null>((r) => sweep.once("exit", r));
    expect(code, sweep.output().slice(-2000)).toBe(0);
    const remoteJson = sweep.output().slice(sweep.output().indexOf("{"), sweep.output().lastIndexOf("}") + 1);

    const local = await runCli(["sweep", MODEL, ...SPACE, "--jobs", "2", "--out", join(dir, "local"), "--json"]);
    expect(local.status, local.stderr.slice(-2000)).toBe(0);
    const remote = JSON.parse(remoteJson) as { points: unknown[] };
    expect(remote.points).toHaveLength(12);
    expect(remote).toEqual(JSON.parse(local.stdout));

    // restarted: every point is found finished in Redis, none runs again
    const before = (survivor.output().match(/started/g) ?? []).length;
    const again = await runCli(["sweep", MODEL, ...SPACE, "--redis", url, "--out", join(dir, "again"), "--json"]);
    expect(again.status, again.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(remote);
    expect((survivor.output().match(/started/g) ?? []).length).toBe(before);
  });

  test("synthesis shared through Redis: a second worker with an empty cache reuses the first worker's result", async () => {
    const dir = testDir("quantrtl-redis-synth-");
    const model = writeTinyDense(dir); // one dense layer, 8 → 4: Yosys takes seconds
    const port = await freePort();
    const redis = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], dir);
    await waitFor(redis, (t) => t.includes("Ready to accept connections"), "redis-server");
    const url = `redis://127.0.0.1:${port}`;
    // each worker with a cache folder of its own: only Redis is shared
    const worker = (cache: string) => start(process.execPath, [CLI, "worker", "--redis", url, "--jobs", "1", "--cache-dir", join(dir, cache)], ROOT);
    type Doc = { points: { source: string; lut: number; ff: number; dsp: number }[] };
    const sweep = async (pe: string): Promise<Doc> => {
      const r = await runCli(["sweep", model, "--pe", pe, "--synth", "--redis", url, "--out", join(dir, `pe${pe}`), "--json"]);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      return JSON.parse(r.stdout) as Doc;
    };

    const first = worker("cache-a");
    await waitFor(first, (t) => t.includes("taking sweep points"), "first worker");
    const a = await sweep("4");
    expect(first.output()).toMatch(/yosys \(/); // Yosys ran there
    first.kill("SIGTERM");
    await new Promise((r) => first.once("exit", r));

    // the caps 4 and 8 fold the 4-output layer alike: another point (another job), the same RTL
    const second = worker("cache-b");
    await waitFor(second, (t) => t.includes("taking sweep points"), "second worker");
    const b = await sweep("8");
    expect(second.output()).toMatch(/yosys: reusing synthesis [0-9a-f]+ from Redis at 127\.0\.0\.1:/);
    expect(second.output()).not.toMatch(/yosys \(/);
    expect(b.points[0]).toMatchObject({ source: "synthesis", lut: a.points[0].lut, ff: a.points[0].ff, dsp: a.points[0].dsp });
    // what Redis holds, read directly: one result under the synth hash, the counts the sweeps report
    const client = new Redis({ host: "127.0.0.1", port });
    try {
      const entries = await client.hgetall("quantrtl:tool-cache:synth");
      expect(Object.keys(entries)).toHaveLength(1);
      expect(JSON.parse(Object.values(entries)[0])).toMatchObject({ lut: a.points[0].lut, ff: a.points[0].ff });
      // the second worker wrote what it reused into its own folder too
      expect(readdirSync(join(dir, "cache-b", "synth"))).toEqual([`${Object.keys(entries)[0]}.json`]);
    } finally {
      client.disconnect();
    }

    // a path all machines see: a local sweep given the first worker's folder reuses its result, without Redis
    const local = await runCli(["sweep", model, "--pe", "2,4", "--synth", "--jobs", "1", "--cache-dir", join(dir, "cache-a"), "--out", join(dir, "local")]);
    expect(local.status, local.stderr.slice(-2000)).toBe(0);
    expect(local.stderr).toMatch(/yosys: reusing cached synthesis/);
    expect(existsSync(join(dir, "cache-a", "synth"))).toBe(true);
  });

  test("a worker with no copy of the model computes the points from the files the sweep sent through Redis", async () => {
    const dir = testDir("quantrtl-redis-model-");
    // the model and its weight file (.bin) in a folder of their own, which is gone before the worker starts
    const src = join(dir, "models");
    const copyModel = () => {
      mkdirSync(src, { recursive: true });
      for (const f of ["conv3x3-adder-int16.json", "conv3x3-adder-int16.weights.bin"]) copyFileSync(join(ROOT, "models", f), join(src, f));
    };
    copyModel();
    const model = join(src, "conv3x3-adder-int16.json");
    const space = ["--pe", "1,2", "--simd", "1,2", "--datapaths", "adder"];
    const port = await freePort();
    const redis = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], dir);
    await waitFor(redis, (t) => t.includes("Ready to accept connections"), "redis-server");
    const url = `redis://127.0.0.1:${port}`;
    const client = new Redis({ host: "127.0.0.1", port });
    try {
      const sweep = start(process.execPath, [CLI, "sweep", model, ...space, "--redis", url, "--out", join(dir, "remote"), "--json"], ROOT);
      // the sweep stores the model's files before its first point: wait for them, then remove the folder
      let keys: string[] = [];
      while (keys.length === 0) {
        if (sweep.exitCode !== null) throw new Error(`sweep exited first:\n${sweep.output()}`);
        await new Promise((r) => setTimeout(r, 50));
        keys = await client.keys("quantrtl:model:*");
      }
      const bundle = JSON.parse((await client.get(keys[0]))!) as { entry: string; files: Record<string, string> };
      // exactly the model file and the one weight file it names, byte for byte
      expect(bundle.entry).toBe("conv3x3-adder-int16.json");
      expect(Object.keys(bundle.files).sort()).toEqual(["conv3x3-adder-int16.json", "conv3x3-adder-int16.weights.bin"]);
      expect(Buffer.from(bundle.files["conv3x3-adder-int16.weights.bin"], "base64").equals(readFileSync(join(src, "conv3x3-adder-int16.weights.bin")))).toBe(
        true,
      );
      rmSync(src, { recursive: true });

      const worker = start(process.execPath, [CLI, "worker", "--redis", url, "--jobs", "1", "--cache-dir", join(dir, "cache-w")], ROOT);
      const code = await new Promise<number | null>((r) => sweep.once("exit", r));
      expect(code, sweep.output().slice(-2000)).toBe(0);
      expect(worker.output()).toMatch(/worker: model [0-9a-f]{12} received/);
      const hash = keys[0].replace("quantrtl:model:", "");
      expect(existsSync(join(dir, "cache-w", "models", hash, "conv3x3-adder-int16.weights.bin"))).toBe(true);
      const remoteJson = sweep.output().slice(sweep.output().indexOf("{"), sweep.output().lastIndexOf("}") + 1);

      // the same space locally on the same files at the same path: the same JSON
      copyModel();
      const local = await runCli(["sweep", model, ...space, "--jobs", "1", "--out", join(dir, "local"), "--json"]);
      expect(local.status, local.stderr.slice(-2000)).toBe(0);
      expect(JSON.parse(remoteJson)).toEqual(JSON.parse(local.stdout));
      expect((JSON.parse(local.stdout) as { points: unknown[] }).points).toHaveLength(4);
    } finally {
      client.disconnect();
    }
  });

  test("--verify through a worker: the proof runs there and its design folder comes back beside the local run's figures", async () => {
    const dir = testDir("quantrtl-redis-verify-");
    const model = writeTinyDense(dir);
    const port = await freePort();
    const redis = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], dir);
    await waitFor(redis, (t) => t.includes("Ready to accept connections"), "redis-server");
    const url = `redis://127.0.0.1:${port}`;
    // the worker's temp dir of its own, to see that it leaves nothing there
    const workerTmp = join(dir, "worker-tmp");
    mkdirSync(workerTmp);
    const worker = start(process.execPath, [CLI, "worker", "--redis", url, "--jobs", "1"], ROOT, { ...process.env, TMPDIR: workerTmp });
    await waitFor(worker, (t) => t.includes("taking sweep points"), "worker");
    const flags = ["--pe", "1,2", "--verify", "--vectors", "2"];
    const remote = await runCli(["sweep", model, ...flags, "--redis", url, "--out", join(dir, "remote"), "--json"]);
    expect(remote.status, remote.stderr.slice(-2000)).toBe(0);
    const local = await runCli(["sweep", model, ...flags, "--jobs", "1", "--out", join(dir, "local"), "--json"]);
    expect(local.status, local.stderr.slice(-2000)).toBe(0);
    type Doc = { points: { proof: { bitExact: boolean; compared: number; designDir: string } }[] };
    const r = JSON.parse(remote.stdout) as Doc;
    expect(r).toEqual(JSON.parse(local.stdout));
    expect(r.points).toHaveLength(2);
    for (const p of r.points) {
      expect(p.proof.bitExact).toBe(true);
      expect(p.proof.compared).toBeGreaterThan(0);
      // the worker's design folder, file for file the local one (RTL, ROMs, vectors)
      const files = (root: string) =>
        readdirSync(join(dir, root, p.proof.designDir), { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile() && !e.name.endsWith(".log") && !e.name.endsWith(".vcd"))
          .map((e) => join(e.parentPath ?? e.path, e.name).slice(join(dir, root).length))
          .sort();
      const remoteFiles = files("remote");
      expect(remoteFiles.some((f) => f.endsWith(".v"))).toBe(true);
      expect(remoteFiles).toEqual(files("local"));
      for (const f of remoteFiles.filter((x) => x.endsWith(".v") || x.endsWith(".hex")))
        expect(readFileSync(join(dir, "remote", f)).equals(readFileSync(join(dir, "local", f))), f).toBe(true);
    }
    // the proofs ran in the worker's temp dir (its Verilator build folders came and went) and nothing is left there
    expect(worker.output()).toMatch(/started/);
    expect(readdirSync(workerTmp)).toEqual([]);
  });

  test("a bad --redis URL and an unreachable server exit 1 naming --redis", async () => {
    const port = await freePort(); // closed again: nothing listens there
    for (const [url, message] of [
      ["http://127.0.0.1:6379", /--redis: "http:\/\/127\.0\.0\.1:6379" is not a redis:\/\/ URL/],
      [`redis://127.0.0.1:${port}`, /--redis: cannot reach Redis at 127\.0\.0\.1:/],
    ] as const) {
      const r = await runCli(["sweep", "models/conv3x3-mac-int8.json", "--redis", url]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr.split("\n")[0]).toMatch(message);
    }
  });
});
