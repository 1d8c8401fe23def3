/**
 * Ctrl-C and `kill` through bin/quantrtl (the installed command) in each phase
 * that runs a tool: Verilator's lint, the C++ build under make, the Verilator
 * model running, Icarus's vvp and Yosys. Checked from outside through /proc: the
 * exit code 128 + n, one line saying what was stopped and removed, no process
 * left in quantrtl's process group or a tool's, none working in the test's
 * folder, and no temporary, staged or half-built cache folder left.
 *
 * quantrtl is started in a process group of its own (detached), so a signal to
 * the group is what a terminal's Ctrl-C does and a signal to its pid what `kill` does.
 */
import { describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { descendants, eventually, inGroups, ProcessEntry, processTable } from "../helpers/processes.js";

const BIN = join(ROOT, "bin", "quantrtl");

interface Case {
  /** quantrtl's arguments; `out` is a folder in the test's sandbox for --out. */
  readonly args: (out: string) => string[];
  /** The process that shows the phase has been reached. */
  readonly phase: (p: ProcessEntry, cache: string) => boolean;
  readonly signal: "SIGINT" | "SIGTERM";
  /** Ctrl-C in a terminal signals the whole foreground group; `kill` the one pid. */
  readonly to: "group" | "pid";
  /** The line quantrtl must end with (what the README promises, spelled out by hand). */
  readonly message: string;
}

const NUMBER = { SIGINT: 2, SIGTERM: 15 } as const;

/** Processes working in (or on files under) `folder`: a tool left behind there has its cwd in it. */
function workingIn(folder: string): ProcessEntry[] {
  return processTable().filter((p) => {
    try {
      return readlinkSync(`/proc/${p.pid}/cwd`).startsWith(folder) && p.state !== "Z";
    } catch {
      return false;
    }
  });
}

/** Every entry under `folder` (two levels) whose name says it is temporary or staged. */
function temporaryEntries(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (/\.tmp-/.test(entry.name)) found.push(entry.name);
    if (entry.isDirectory()) for (const inner of readdirSync(join(folder, entry.name))) if (/\.tmp-/.test(inner)) found.push(`${entry.name}/${inner}`);
  }
  return found;
}

async function interruptDuring(c: Case): Promise<{ sandbox: string; cache: string }> {
  const sandbox = testDir("quantrtl-interrupt-");
  const tmp = join(sandbox, "tmp");
  const cache = join(sandbox, "cache");
  mkdirSync(tmp);
  // a fresh cache and TMPDIR in the sandbox: builds really happen, and every folder quantrtl makes is findable
  const child = spawn(BIN, c.args(join(sandbox, "out")), {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, TMPDIR: tmp, QUANTRTL_CACHE: cache },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid!;
  const groups = new Set([pid]);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((r) => child.once("exit", (code, signal) => r(void (exit = { code, signal }))));
  try {
    let tool: ProcessEntry | undefined;
    await eventually(
      () => {
        const running = descendants(pid);
        for (const p of running) groups.add(p.pgid);
        tool = running.find((p) => c.phase(p, cache));
        return tool !== undefined || exit !== undefined;
      },
      240_000,
      25,
    );
    expect(tool, `phase not reached; quantrtl ${JSON.stringify(exit)}:\n${stderr}`).toBeDefined();

    process.kill(c.to === "group" ? -pid : pid, c.signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    expect(exit, stderr).toEqual({ code: 128 + NUMBER[c.signal], signal: null });
    // gone when quantrtl has exited, not some time later
    expect(inGroups(groups).map((p) => `${p.pid} ${p.comm}`)).toEqual([]);
    expect(workingIn(sandbox).map((p) => `${p.pid} ${p.comm}`)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    expect(temporaryEntries(sandbox)).toEqual([]);
    expect(temporaryEntries(cache)).toEqual([]);
    expect(existsSync(join(sandbox, "out"))).toBe(false);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(c.message);
    expect(
      lines.filter((l) => /interrupted|error/.test(l)),
      stderr,
    ).toEqual([c.message]);
    return { sandbox, cache };
  } finally {
    // a failing case leaves nothing running either
    for (const g of groups) {
      try {
        process.kill(-g, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
}

const entries = (folder: string) => (existsSync(folder) ? readdirSync(folder) : []);

describe("bin/quantrtl stopped by a signal", () => {
  test("Ctrl-C during Verilator's lint: exits 130, lint stopped, work folder removed", async () => {
    await interruptDuring({
      // ResNet-20's lint takes seconds
      args: () => ["verify", "models/resnet20-adder-cifar.json", "--vectors", "1"],
      phase: (p) => p.cmdline.includes("--lint-only"),
      signal: "SIGINT",
      to: "group",
      message: "quantrtl: interrupted by SIGINT; stopped verilator, removed 1 temporary folder",
    });
  });

  test("kill (SIGTERM) during the C++ build: make and its compilers stopped, the half-built cache folder removed, exits 143", async () => {
    const { cache } = await interruptDuring({
      args: () => ["verify", "models/conv3x3-mac-int8.json", "--vectors", "1"],
      phase: (p) => p.comm === "cc1plus",
      signal: "SIGTERM",
      to: "pid",
      message: "quantrtl: interrupted by SIGTERM; stopped make, removed 2 temporary folders",
    });
    expect(entries(join(cache, "verilator"))).toEqual([]);
  });

  test("SIGTERM to the whole group while the Verilator model runs: the staged --out folder removed, the finished build kept", async () => {
    const { cache } = await interruptDuring({
      // 300 vectors: a run of seconds
      args: (out) => ["verify", "models/conv3x3-mac-int8.json", "--vectors", "300", "--out", out],
      phase: (p, cacheDir) => p.cmdline[0]?.startsWith(join(cacheDir, "verilator")) === true && p.cmdline[0].endsWith("/sim"),
      signal: "SIGTERM",
      to: "group",
      message: "quantrtl: interrupted by SIGTERM; stopped sim, removed 1 temporary folder, released the --out lock",
    });
    const builds = entries(join(cache, "verilator"));
    expect(builds).toHaveLength(1);
    expect(entries(join(cache, "verilator", builds[0]))).toContain("sim");
  });

  test("kill -INT while Icarus's vvp runs (the issue's case): exits 130, vvp stopped, staged --out removed", async () => {
    await interruptDuring({
      args: (out) => ["verify", "models/mnist-adder.json", "--sim", "icarus", "--vectors", "5", "--out", out],
      phase: (p) => p.comm === "vvp",
      signal: "SIGINT",
      to: "pid",
      message: "quantrtl: interrupted by SIGINT; stopped vvp, removed 1 temporary folder, released the --out lock",
    });
  });

  test("kill (SIGTERM) during synthesis: Yosys stopped, its folder removed, nothing cached, exits 143", async () => {
    const { cache } = await interruptDuring({
      args: () => ["synth", "models/mnist-adder.json", "--board", "pynq-z2"],
      phase: (p) => p.cmdline.some((a) => a.endsWith("yowasp-cli.js")) && p.cmdline.includes("yosys"),
      signal: "SIGTERM",
      to: "pid",
      message: "quantrtl: interrupted by SIGTERM; stopped yowasp-cli.js yosys, removed 1 temporary folder",
    });
    expect(entries(join(cache, "synth"))).toEqual([]);
  });
});
