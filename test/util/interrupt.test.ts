/**
 * Stopping on a signal: the tools quantrtl started stop with it and its
 * temporary folders go. First the clean-up itself on a real child process and
 * folder; then the CLI end to end — `quantrtl synth` sent SIGTERM while the real
 * Yosys (@yowasp/yosys) runs, checked from outside through /proc.
 */
import { describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanUpNow, trackChild, trackFolder } from "../../src/util/interrupt.js";
import { CLI, ROOT } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";

/** Pids of processes whose command line mentions `text` (read from /proc, so independent of our bookkeeping). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Waits (polling) until `check` holds or `ms` pass; returns whether it held. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe("cleanUpNow", () => {
  test("stops a tracked running child and removes a tracked folder", async () => {
    const folder = mkdtempSync(join(tmpdir(), "quantrtl-interrupt-test-"));
    mkdirSync(join(folder, "sub"));
    trackFolder(folder);
    const child = spawn("sleep", ["300"], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_code, signal) => r(signal)));
    trackChild(child, "sleep");
    await new Promise((r) => child.once("spawn", r));

    const done = cleanUpNow();
    expect(done.stopped).toEqual(["sleep"]);
    expect(done.removed).toEqual([folder]);
    expect(existsSync(folder)).toBe(false);
    expect(await exited).toBe("SIGTERM");
    // nothing left to do a second time
    expect(cleanUpNow()).toEqual({ stopped: [], removed: [] });
  });

  test("a child that already exited is not reported as stopped", async () => {
    const child = spawn("true", [], { stdio: "ignore" });
    trackChild(child, "true");
    await new Promise((r) => child.once("exit", r));
    expect(cleanUpNow().stopped).toEqual([]);
  });
});

describe("quantrtl synth on SIGTERM", () => {
  test("stops Yosys, removes its folder, exits 143 with one line", async () => {
    const sandbox = testDir("quantrtl-sigterm-");
    const tmp = join(sandbox, "tmp");
    mkdirSync(tmp);
    // a fresh cache and TMPDIR: the synthesis really runs, and its folder is findable
    const child = spawn(process.execPath, [CLI, "synth", "models/mnist-adder.json", "--board", "pynq-z2"], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, QUANTRTL_CACHE: join(sandbox, "cache") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));

    const yosysStarted = await eventually(() => /yosys \(@yowasp\/yosys [^)]*\): synth_xilinx/.test(stderr) && processesMentioning(tmp).length > 0, 120_000);
    expect(yosysStarted, stderr).toBe(true);
    const yosys = processesMentioning(tmp);
    expect(readdirSync(tmp).some((f) => f.startsWith("quantrtl-synth-")), readdirSync(tmp).join(" ")).toBe(true);

    child.kill("SIGTERM"); // the node process alone, as `kill <pid>` does
    const { code, signal } = await exited;
    expect({ code, signal }, stderr).toEqual({ code: 143, signal: null });
    expect(stderr).toMatch(/quantrtl: interrupted by SIGTERM; stopped yowasp-cli\.js yosys, removed 1 temporary folder\n$/);
    expect(readdirSync(tmp)).toEqual([]);
    expect(await eventually(() => processesMentioning(tmp).length === 0, 10_000), `still running: ${yosys.join(" ")}`).toBe(true);
    expect(existsSync(join(sandbox, "cache", "synth")) ? readdirSync(join(sandbox, "cache", "synth")) : []).toEqual([]);
  });
});
