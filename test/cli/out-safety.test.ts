/**
 * --out never destroys what quantrtl did not write (issue 16, items 1, 7, 8),
 * through the built CLI. `gen` on conv3x3-mac-int8 needs no simulator, so each
 * run takes a second. Every run happens in a sandbox: a project folder with a
 * copy of the model in models/ and a working folder run/ beside it.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkOutput, MARKER } from "../../src/util/output.js";
import { ROOT, Run, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";

interface Sandbox {
  /** The project folder: models/ and run/. */
  project: string;
  /** The working folder of the runs, holding a file of the user's. */
  cwd: string;
  model: string;
}

function sandbox(): Sandbox {
  const project = join(testDir("quantrtl-out-safety-"), "project");
  const models = join(project, "models");
  mkdirSync(models, { recursive: true });
  for (const f of ["conv3x3-mac-int8.json", "conv3x3-mac-int8.weights.json"]) copyFileSync(join(ROOT, "models", f), join(models, f));
  const cwd = join(project, "run");
  mkdirSync(cwd);
  writeFileSync(join(cwd, "notes.txt"), "the user's notes\n");
  return { project, cwd, model: join(models, "conv3x3-mac-int8.json") };
}

const gen = (s: Sandbox, ...args: string[]): Promise<Run> => runCli(["gen", s.model, ...args], { cwd: s.cwd, timeoutMs: 60_000 });
const show = (r: Run): string => `status ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** A refusal: exit 1, one error line naming --out (and the hint), no stack trace, nothing on stdout. */
function expectRefused(r: Run, ...mentions: string[]): void {
  expect(r.status, show(r)).toBe(1);
  expect(r.stdout, show(r)).toBe("");
  expect(r.stderr, show(r)).toMatch(/^error: --out: /);
  expect(r.stderr, show(r)).not.toMatch(/^\s+at /m);
  for (const m of mentions) expect(r.stderr, show(r)).toContain(m);
}

/** Names and contents of every file under `dir`, for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = readFileSync(join(e.parentPath, e.name), "utf8");
  }
  return out;
}

describe("--out refuses what quantrtl did not write", () => {
  test("a user's folder with a file is refused and the file survives", async () => {
    const s = sandbox();
    const d = join(s.cwd, "d");
    mkdirSync(d);
    writeFileSync(join(d, "keep"), "x\n");
    const r = await gen(s, "--out", "d");
    expectRefused(r, d, "keep", "--force");
    expect(readFileSync(join(d, "keep"), "utf8")).toBe("x\n");
    expect(readdirSync(d)).toEqual(["keep"]);
    // no staging folder or lock left beside it
    expect(readdirSync(s.cwd).sort()).toEqual(["d", "notes.txt"]);
  });

  test(". and .., the model's folder and the model file are refused, even with --force, and nothing is removed", async () => {
    const s = sandbox();
    const before = snapshot(s.project);
    for (const out of [".", "..", join(s.project, "models"), s.model]) {
      for (const force of [[], ["--force"]]) {
        const r = await gen(s, "--out", out, ...force);
        expectRefused(r, "never replaced");
        expect(snapshot(s.project), `--out ${out} ${force.join(" ")}`).toEqual(before);
      }
    }
  });

  test("/ is refused, even with --force, before anything is touched", async () => {
    // the same check the CLI runs, in this process first: if it let / through, the CLI is never started with it
    expect(() => checkOutput("/", { force: true })).toThrow(/file-system root/);
    const s = sandbox();
    for (const force of [[], ["--force"]]) {
      const r = await gen(s, "--out", "/", ...force);
      expectRefused(r, "/ is the file-system root");
    }
    expect(existsSync(s.model)).toBe(true);
  });

  test("an existing file is refused and left intact", async () => {
    const s = sandbox();
    const r = await gen(s, "--out", "notes.txt");
    expectRefused(r, join(s.cwd, "notes.txt"), "is a file");
    expect(readFileSync(join(s.cwd, "notes.txt"), "utf8")).toBe("the user's notes\n");
  });

  test("--force replaces a user's non-empty folder", async () => {
    const s = sandbox();
    const d = join(s.cwd, "d");
    mkdirSync(d);
    writeFileSync(join(d, "keep"), "x\n");
    const r = await gen(s, "--out", "d", "--force");
    expect(r.status, show(r)).toBe(0);
    expect(readdirSync(d).sort()).toEqual([MARKER, "rtl", "vectors"]);
    expect(readdirSync(s.cwd).sort()).toEqual(["d", "notes.txt"]);
  });
});

describe("--out writes a new, empty or quantrtl-written folder", () => {
  test("an empty folder is filled, with the marker naming the model", async () => {
    const s = sandbox();
    mkdirSync(join(s.cwd, "empty"));
    const r = await gen(s, "--out", "empty");
    expect(r.status, show(r)).toBe(0);
    expect(readdirSync(join(s.cwd, "empty")).sort()).toEqual([MARKER, "rtl", "vectors"]);
    const marker = JSON.parse(readFileSync(join(s.cwd, "empty", MARKER), "utf8")) as Record<string, string>;
    expect(marker).toMatchObject({ generator: "quantrtl", model: "conv3x3_mac_int8" });
  });

  test("a second run replaces the folder of the first: its files are gone", async () => {
    const s = sandbox();
    copyFileSync(join(ROOT, "models", "conv3x3-adder-int8.json"), join(s.project, "models", "adder.json"));
    expect((await gen(s, "--out", "d")).status).toBe(0);
    const first = readdirSync(join(s.cwd, "d", "rtl"));
    expect(first.some((f) => f.startsWith("conv3x3_mac_int8"))).toBe(true);
    const r = await runCli(["gen", join(s.project, "models", "adder.json"), "--out", "d"], { cwd: s.cwd, timeoutMs: 60_000 });
    expect(r.status, show(r)).toBe(0);
    const second = readdirSync(join(s.cwd, "d", "rtl"));
    expect(second.some((f) => f.startsWith("conv3x3_adder_int8"))).toBe(true);
    expect(second.filter((f) => f.startsWith("conv3x3_mac_int8"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(s.cwd, "d", MARKER), "utf8")).model).toBe("conv3x3_adder_int8");
    expect(readdirSync(s.cwd).sort()).toEqual(["d", "notes.txt"]);
  });

  test("a lock held by a live process is refused naming its pid; a dead one's lock is taken over", async () => {
    const s = sandbox();
    const lock = join(s.cwd, ".d.lock");
    writeFileSync(lock, `${process.pid}\n`);
    const held = await gen(s, "--out", "d");
    expectRefused(held, `pid ${process.pid}`, lock);
    expect(existsSync(join(s.cwd, "d"))).toBe(false);

    const dead = await new Promise<number>((done) => {
      const child = spawn(process.execPath, ["-e", ""]);
      child.on("exit", () => done(child.pid!));
    });
    writeFileSync(lock, `${dead}\n`);
    const r = await gen(s, "--out", "d");
    expect(r.status, show(r)).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(readdirSync(join(s.cwd, "d"))).toContain("rtl");
  });
});

describe("--out file-system errors are one line naming --out", () => {
  test("a path under a regular file: ENOTDIR, no stack trace", async () => {
    const s = sandbox();
    const r = await gen(s, "--out", "notes.txt/x");
    expectRefused(r, join(s.cwd, "notes.txt", "x"), "ENOTDIR");
    expect(readFileSync(join(s.cwd, "notes.txt"), "utf8")).toBe("the user's notes\n");
  });

  test("/proc and /sys are refused at once as pseudo file systems", async () => {
    const s = sandbox();
    for (const out of ["/proc/x", "/sys/x"]) {
      const started = Date.now();
      const r = await runCli(["gen", s.model, "--out", out], { cwd: s.cwd, timeoutMs: 20_000 });
      expectRefused(r, out, "pseudo file system");
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });

  test("verify --sim both and report check --out before simulating or synthesizing", async () => {
    const s = sandbox();
    mkdirSync(join(s.cwd, "d"));
    writeFileSync(join(s.cwd, "d", "keep"), "x\n");
    for (const argv of [
      ["verify", s.model, "--sim", "both"],
      ["report", s.model],
    ]) {
      const r = await runCli([...argv, "--out", "d"], { cwd: s.cwd, timeoutMs: 60_000 });
      expectRefused(r, "keep");
      expect(readdirSync(join(s.cwd, "d"))).toEqual(["keep"]);
    }
  });
});

describe("small flags and inputs (issue 16, item 8)", () => {
  test("--json=false is off; --json=maybe is refused", async () => {
    const off = await runCli(["run", "models/conv3x3-mac-int8.json", "--json=false"]);
    expect(off.status, show(off)).toBe(0);
    expect(off.stdout).toMatch(/^conv0: /);
    const on = await runCli(["run", "models/conv3x3-mac-int8.json", "--json=true"]);
    expect(on.status, show(on)).toBe(0);
    expect(JSON.parse(on.stdout).model).toBe("conv3x3_mac_int8");
    const bad = await runCli(["run", "models/conv3x3-mac-int8.json", "--json=maybe"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: --json: "maybe" is not a valid value/);
  });

  test("report --vectors without --verify is refused", async () => {
    const s = sandbox();
    const r = await runCli(["report", s.model, "--vectors", "3", "--out", "r"], { cwd: s.cwd, timeoutMs: 60_000 });
    expect(r.status, show(r)).toBe(1);
    expect(r.stderr).toMatch(/^error: --vectors: only applies with --verify/);
    expect(existsSync(join(s.cwd, "r"))).toBe(false);
  });

  test("a model file with a UTF-8 byte-order mark loads", async () => {
    const s = sandbox();
    writeFileSync(s.model, "\uFEFF" + readFileSync(s.model, "utf8"));
    const r = await runCli(["check", s.model], { cwd: s.cwd, timeoutMs: 60_000 });
    expect(r.status, show(r)).toBe(0);
    expect(r.stdout).toContain("model conv3x3_mac_int8");
  });
});
