/**
 * The command line as users of a CLI expect it (commander underneath): did-you-mean on
 * a mistyped command or flag, --version, `--flag=value`, per-command help generated from
 * the same definition that declares the flags, and the deprecated names of datapath.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, Run, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { COMMANDS, HELP } from "../../src/cli/main.js";

const MODEL = "models/conv3x3-adder-int8.json";

/** Exit 1, nothing on stdout, one error line and one hint line, no stack. */
function expectUserError(r: Run): string[] {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^error: /);
  expect(
    lines.slice(1).every((l) => l.startsWith("  hint: ")),
    r.stderr,
  ).toBe(true);
  expect(r.stderr).not.toContain("    at ");
  return lines;
}

describe("did-you-mean", () => {
  test("quantrtl biuld suggests build and lists the commands", async () => {
    const lines = expectUserError(await runCli(["biuld", MODEL]));
    expect(lines[0]).toBe("error: biuld: is not a command");
    expect(lines[1]).toContain("did you mean build?");
    expect(lines[1]).toContain("check, run, gen, verify, build");
  });

  test("a mistyped flag is named, with the closest flag of that command and its options", async () => {
    const lines = expectUserError(await runCli(["check", MODEL, "--jsno"]));
    expect(lines[0]).toBe('error: --jsno: is not an option of "check"');
    expect(lines[1]).toContain("did you mean --json?");
    expect(lines[1]).toContain("--pe");
  });
});

describe("flags", () => {
  test("--version prints package.json's version", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    for (const argv of [["--version"], ["-V"], ["version"]]) {
      const r = await runCli(argv);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  test("--pe=2 --simd=8 reads as --pe 2 --simd 8", async () => {
    const a = await runCli(["check", MODEL, "--pe=2", "--simd=8"]);
    const b = await runCli(["check", MODEL, "--pe", "2", "--simd", "8"]);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toContain("pe 2 simd 8 (NF 8 x SF 9)"); // 16/2 channels, 72/8 lanes
    expect(a.stdout).toBe(b.stdout);
  });

  test("--json=false is off, the last of --json / --json=false wins", async () => {
    const off = await runCli(["check", MODEL, "--json", "--json=false"]);
    expect(off.stdout).toMatch(/^model /);
    const on = await runCli(["check", MODEL, "--json=false", "--json"]);
    expect(JSON.parse(on.stdout).model).toBe("conv3x3_adder_int8");
  });

  test("a second model file is refused, naming it", async () => {
    const lines = expectUserError(await runCli(["check", MODEL, "models/conv3x3-xnor.json"]));
    expect(lines[0]).toBe("error: models/conv3x3-xnor.json: is an unexpected argument");
  });
});

describe("help from the command definitions", () => {
  test("every flag a command declares is in its usage or the common notes, and every flag its usage shows is declared", () => {
    const notes = new Set(HELP.notes.match(/--[a-z][a-z-]*/g) ?? []);
    for (const c of COMMANDS) {
      const declared = new Set(c.flags.map((f) => `--${f.name}`));
      const shown = new Set(c.usage.match(/--[a-z][a-z-]*/g) ?? []);
      // the deprecated names are read but not advertised
      const hidden = new Set(["--kernels", "--kernel"]);
      for (const f of declared) if (!hidden.has(f)) expect(shown.has(f) || notes.has(f), `${c.name} ${f} undocumented`).toBe(true);
      for (const f of shown) expect(declared.has(f), `${c.name} shows ${f} but does not take it`).toBe(true);
    }
  });

  test("help <command> and <command> -h print the same usage", async () => {
    const a = await runCli(["help", "verify"]);
    const b = await runCli(["verify", "-h"]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^ {2}quantrtl verify <model\.json>/m);
  });
});

describe("datapath, and its old name kernel", () => {
  test("compare --kernels still works, with a one-line warning naming --datapaths", async () => {
    const old = await runCli(["compare", MODEL, "--kernels", "mac,adder", "--json"]);
    expect(old.status, old.stderr).toBe(0);
    expect(old.stderr).toBe("warning: --kernels is deprecated, use --datapaths\n");
    const now = await runCli(["compare", MODEL, "--datapaths", "mac,adder", "--json"]);
    expect(now.stderr).toBe("");
    expect(Object.keys(JSON.parse(now.stdout).kernels)).toEqual(["mac", "adder"]);
    expect(now.stdout).toBe(old.stdout);
    const bad = expectUserError(await runCli(["compare", MODEL, "--datapaths", "mac,conv"]));
    expect(bad[0]).toBe('error: --datapaths: "conv" is not a datapath');
  });

  test('a model naming "kernel" reads the same as with "datapath", warning once per model; a disagreement is an error', async () => {
    const dir = testDir("qr-kernel-alias-");
    const doc = JSON.parse(readFileSync(join(ROOT, "models/mnist-mac.json"), "utf8")) as { layers: Record<string, unknown>[] };
    const engines = doc.layers.filter((l) => l.datapath !== undefined);
    expect(engines.length).toBeGreaterThan(2);
    for (const l of engines) {
      l.kernel = l.datapath;
      delete l.datapath;
    }
    const old = join(dir, "old.json");
    writeFileSync(old, JSON.stringify(doc));
    const a = await runCli(["check", old], { cwd: join(ROOT, "models") });
    const b = await runCli(["check", "mnist-mac.json"], { cwd: join(ROOT, "models") });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(a.stderr).toMatch(/^warning: .*old\.json \/layers\/\d+: "kernel" is the old name of "datapath"/);
    // same hash, same figures: the model reads the same
    expect(a.stdout.split("\n").slice(1)).toEqual(b.stdout.split("\n").slice(1));
    expect(a.stdout.split("\n")[0].replace(/^model \S+/, "")).toBe(b.stdout.split("\n")[0].replace(/^model \S+/, ""));

    engines[0].datapath = engines[0].kernel === "mac" ? "adder" : "mac";
    writeFileSync(old, JSON.stringify(doc));
    const lines = expectUserError(await runCli(["check", old], { cwd: join(ROOT, "models") }));
    expect(lines[0]).toContain('/kernel: "');
    expect(lines[0]).toContain('differs from "datapath"');
  });
});
