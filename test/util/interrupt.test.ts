/**
 * Stopping on a signal (src/util/interrupt.ts): the tools quantrtl started stop
 * with it, with everything they started, and its temporary folders go. First the
 * clean-up itself on real child processes and folders; then programs that use the
 * library (dist/, in a child process) sent a signal or exiting with a tool running.
 * Whole runs of the command line: test/cli/interrupt.test.ts.
 */
import { describe, expect, test } from "vitest";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanUpNow, spawnTool, trackChild, trackFolder } from "../../src/util/interrupt.js";
import { ROOT } from "../helpers/cli.js";
import { descendants, eventually, inGroups } from "../helpers/processes.js";

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));

/** Pids of running `sleep` processes under `pid`. */
const sleepsUnder = (pid: number) => descendants(pid).filter((p) => p.comm === "sleep");

describe("cleanUpNow", () => {
  test("stops a tracked running child and removes a tracked folder", async () => {
    const folder = mkdtempSync(join(tmpdir(), "quantrtl-interrupt-test-"));
    mkdirSync(join(folder, "sub"));
    trackFolder(folder);
    const child = spawn("sleep", ["300"], { stdio: "ignore" });
    const exited = exitOf(child);
    trackChild(child, "sleep");
    await new Promise((r) => child.once("spawn", r));

    const done = await cleanUpNow();
    expect(done.stopped).toEqual(["sleep"]);
    expect(done.removed).toEqual([folder]);
    expect(existsSync(folder)).toBe(false);
    expect((await exited).signal).toBe("SIGTERM");
    // nothing left to do a second time
    expect(await cleanUpNow()).toEqual({ stopped: [], removed: [] });
  });

  test("a child that already exited is not reported as stopped", async () => {
    const child = spawn("true", [], { stdio: "ignore" });
    trackChild(child, "true");
    await new Promise((r) => child.once("exit", r));
    expect((await cleanUpNow()).stopped).toEqual([]);
  });

  test("a tool started with spawnTool is stopped with what it started (its process group)", async () => {
    const tool = spawnTool("sh", ["-c", "sleep 300 & sleep 300 & wait"], { stdio: "ignore" }, "sh");
    expect(await eventually(() => sleepsUnder(tool.pid!).length === 2, 10_000)).toBe(true);
    const sleeps = sleepsUnder(tool.pid!);
    expect(sleeps.every((p) => p.pgid === tool.pid)).toBe(true); // a group of its own

    expect((await cleanUpNow()).stopped).toEqual(["sh"]);
    expect(inGroups([tool.pid!])).toEqual([]);
  });

  test("a tool that ignores SIGTERM is killed once the grace period is over", async () => {
    const tool = spawnTool("sh", ["-c", "trap '' TERM; sleep 300 & wait"], { stdio: "ignore" }, "sh");
    expect(await eventually(() => sleepsUnder(tool.pid!).length === 1, 10_000)).toBe(true);
    const start = Date.now();
    await cleanUpNow(300);
    expect(Date.now() - start).toBeGreaterThanOrEqual(300);
    expect(inGroups([tool.pid!])).toEqual([]);
  });
});

/** Runs an ES module (text) that imports quantrtl's built library as `lib/`. */
function library(program: string): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  const code = program.replaceAll("lib/", `${join(ROOT, "dist", "src")}/`);
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

describe("a program using the library", () => {
  test("with no signal handler of its own, exits 128 + n on SIGTERM during a tool run, with the tool stopped", async () => {
    const { child, output } = library(`
      import { run } from "lib/util/process.js";
      await run("sleep", ["300"]);
      console.log("finished");
    `);
    const exited = exitOf(child);
    expect(await eventually(() => sleepsUnder(child.pid!).length === 1, 20_000)).toBe(true);
    const groups = sleepsUnder(child.pid!).map((p) => p.pgid);
    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 143, signal: null });
    expect(output()).toEqual({ stdout: "", stderr: "quantrtl: interrupted by SIGTERM; stopped sleep\n" });
    expect(inGroups(groups)).toEqual([]);
  });

  test("with a SIGINT handler of its own, keeps running: the tool is stopped and the call fails with a ToolError", async () => {
    const { child, output } = library(`
      import { run } from "lib/util/process.js";
      process.on("SIGINT", () => console.log("host saw SIGINT"));
      try {
        await run("sleep", ["300"]);
      } catch (err) {
        console.log(err.constructor.name, err.message);
      }
      console.log("next run:", (await run("echo", ["ok"])).stdout.trim());
    `);
    const exited = exitOf(child);
    expect(await eventually(() => sleepsUnder(child.pid!).length === 1, 20_000)).toBe(true);
    const groups = sleepsUnder(child.pid!).map((p) => p.pgid);
    child.kill("SIGINT");
    expect(await exited, output().stderr).toEqual({ code: 0, signal: null });
    expect(output().stdout).toBe("host saw SIGINT\nToolError sleep: stopped on SIGINT\n  command: sleep 300\nnext run: ok\n");
    expect(inGroups(groups)).toEqual([]);
  });

  test("exiting while a tool still runs stops the tool's whole group before node is gone", async () => {
    const { child } = library(`
      import { spawnTool } from "lib/util/interrupt.js";
      spawnTool("sh", ["-c", "sleep 300 & wait"], { stdio: "ignore" }, "sh");
      setTimeout(() => process.exit(0), 1000);
    `);
    const exited = exitOf(child);
    const groups = new Set<number>();
    await eventually(() => {
      for (const p of sleepsUnder(child.pid!)) groups.add(p.pgid);
      return groups.size > 0;
    }, 20_000);
    expect(groups.size).toBe(1);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(inGroups(groups)).toEqual([]);
  });
});
