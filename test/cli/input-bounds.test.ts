/**
 * Inputs that are not what they claim to be, through the built CLI: weight and
 * model files that are FIFOs, devices or symlinks out of the model folder, files
 * of the wrong size, and shapes the schema accepts but no run can hold. Each must
 * end at once with exit 1 and one message (file, JSON path, what is there, what
 * would be valid) — never a hang, a read without end, a stack trace or the bytes
 * of a file the model points at.
 */
import { describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLI, Run, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { run } from "../../src/util/process.js";

// a refusal is a stat and a message: far below this even on a loaded machine; the old code hung or read gigabytes here
const QUICK_MS = 20_000;

type Doc = Record<string, any>;

/** 4×4×2 int8 input, one 3×3 mac conv to 3 channels, padding 1: 3·3·3·2 = 54 weights. */
function conv(weights: Doc["weights"], bits = 8): Doc {
  return {
    quantrtl: 1,
    name: "bounds",
    input: { height: 4, width: 4, channels: 2, bits },
    layers: [
      {
        type: "conv2d",
        name: "conv0",
        datapath: "mac",
        outChannels: 3,
        kernelSize: 3,
        padding: 1,
        weightBits: bits,
        activationBits: bits,
        weights,
        requant: { multiplier: 20000, shift: 18, rounding: "half_even", outBits: 8 },
      },
    ],
  };
}

/** A relu on an input of the given shape (no weights: only the activations count). */
function reluOn(height: number, width: number, channels: number): Doc {
  return { quantrtl: 1, name: "big", input: { height, width, channels, bits: 8 }, layers: [{ type: "relu", name: "relu1" }] };
}

function writeModel(dir: string, doc: Doc, name = "model.json"): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Exit 1, nothing on stdout, an "error:" message and its hint, no stack trace. */
function expectRefused(r: Run): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^error: /);
  expect(
    lines.slice(1).every((l) => l.startsWith("  hint: ")),
    r.stderr,
  ).toBe(true);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

async function timed(args: string[]): Promise<Run & { ms: number }> {
  const start = Date.now();
  const r = await runCli(args, { timeoutMs: QUICK_MS });
  return { ...r, ms: Date.now() - start };
}

describe("weight files that are not regular files inside the model folder", () => {
  test("a symlink to /dev/zero is refused at once, naming the file, the JSON path and what it is", async () => {
    const dir = testDir("qr-zero-");
    symlinkSync("/dev/zero", join(dir, "zero.bin"));
    const r = await timed(["check", writeModel(dir, conv({ file: "zero.bin" }))]);
    expectRefused(r);
    expect(r.ms).toBeLessThan(QUICK_MS);
    expect(r.stderr).toContain("model.json /layers/0/weights/file");
    expect(r.stderr).toContain('"zero.bin" is a symlink to /dev/zero, a character device');
    expect(r.stderr).toContain("54 bytes");
  });

  test("a FIFO is refused without waiting for a writer", async () => {
    const dir = testDir("qr-fifo-");
    execFileSync("mkfifo", [join(dir, "w.bin")]);
    const r = await timed(["check", writeModel(dir, conv({ file: "w.bin" }))]);
    expectRefused(r);
    expect(r.stderr).toContain('"w.bin" is a FIFO');
    expect(r.stderr).toContain("/layers/0/weights/file");
  });

  test("a directory is refused as not a regular file", async () => {
    const dir = testDir("qr-dir-");
    mkdirSync(join(dir, "w.bin"));
    const r = await timed(["check", writeModel(dir, conv({ file: "w.bin" }))]);
    expectRefused(r);
    expect(r.stderr).toContain('"w.bin" is a directory');
  });

  test("a symlink to a file outside the model folder is refused and the file's bytes are not shown", async () => {
    const root = testDir("qr-out-");
    const model = join(root, "model");
    mkdirSync(model);
    const secret = "TOP-SECRET-7f3a9c";
    writeFileSync(join(root, "secret.json"), `${secret} not json at all`);
    symlinkSync(join(root, "secret.json"), join(model, "w.json"));
    const r = await timed(["check", writeModel(model, conv({ file: "w.json" }))]);
    expectRefused(r);
    expect(r.stderr).toContain("/layers/0/weights/file");
    expect(r.stderr).toContain("outside the model folder");
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).not.toContain("TOP-");
  });

  test("a folder symlinked out of the model folder is refused like a file symlink", async () => {
    const root = testDir("qr-outdir-");
    const model = join(root, "model");
    mkdirSync(model);
    mkdirSync(join(root, "elsewhere"));
    writeFileSync(join(root, "elsewhere", "w.bin"), Buffer.alloc(54));
    symlinkSync(join(root, "elsewhere"), join(model, "weights"));
    const r = await timed(["check", writeModel(model, conv({ file: "weights/w.bin" }))]);
    expectRefused(r);
    expect(r.stderr).toContain("outside the model folder");
  });

  test("a symlink to a regular file inside the model folder is accepted (control)", async () => {
    const dir = testDir("qr-in-");
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "w.bin"), Buffer.alloc(54, 1));
    symlinkSync(join(dir, "data", "w.bin"), join(dir, "w.bin"));
    const r = await timed(["check", writeModel(dir, conv({ file: "w.bin" }))]);
    expect(r.status, r.stderr).toBe(0);
  });

  test("a .bin file of the wrong size names the expected and the actual byte count before reading it", async () => {
    const dir = testDir("qr-size-");
    // int16 weights: 54 values × 2 bytes = 108 bytes expected; 55 values written
    writeFileSync(join(dir, "w16.bin"), Buffer.alloc(110));
    const r = await timed(["check", writeModel(dir, conv({ file: "w16.bin" }, 16))]);
    expectRefused(r);
    expect(r.stderr).toContain("/layers/0/weights/file");
    expect(r.stderr).toContain("is 110 bytes");
    expect(r.stderr).toContain("108 bytes");
  });
});

describe("model files that are not regular files", () => {
  test("a FIFO as the model is refused without waiting for a writer", async () => {
    const dir = testDir("qr-mfifo-");
    const fifo = join(dir, "model.json");
    execFileSync("mkfifo", [fifo]);
    const r = await timed(["check", fifo]);
    expectRefused(r);
    expect(r.stderr).toContain("model.json");
    expect(r.stderr).toContain("is a FIFO");
  });

  test("/dev/zero as the model is refused at once instead of read without end", async () => {
    const r = await timed(["check", "/dev/zero"]);
    expectRefused(r);
    expect(r.stderr).toContain("/dev/zero");
    expect(r.stderr).toContain("a character device");
  });
});

describe("shapes the schema accepts but no run can hold", () => {
  for (const command of ["check", "run", "gen"]) {
    test(`a 4096×4096×4096 input is refused by ${command} in one message naming the tensor and its size`, async () => {
      const dir = testDir("qr-huge-");
      const args = [command, writeModel(dir, reluOn(4096, 4096, 4096))];
      if (command === "gen") args.push("--out", join(dir, "out"));
      const r = await timed(args);
      expectRefused(r);
      expect(r.stderr).toContain("model.json /input");
      expect(r.stderr).toContain("4096×4096×4096");
      // 4096³ = 68 719 476 736 elements, far above the 2^31 − 1 a typed array may hold
      expect(r.stderr).toContain("68719476736 elements");
    });
  }

  test("a 4096×4096×64 input with one relu is refused at load by check and run, naming the layer and its 8 GiB", async () => {
    const dir = testDir("qr-big-");
    const file = writeModel(dir, reluOn(4096, 4096, 64));
    for (const command of ["check", "run"]) {
      const r = await timed([command, file]);
      expectRefused(r);
      expect(r.ms).toBeLessThan(QUICK_MS);
      expect(r.stderr).toContain("/layers/0 (relu1)");
      expect(r.stderr).toContain("4096×4096×64");
      // input and output as Int32Array: 2 · 4096·4096·64 · 4 bytes = 8 GiB; the default budget is at most 4 GiB
      expect(r.stderr).toContain("8.0 GiB");
      expect(r.stderr).toContain("memory budget");
      expect(r.stderr).toContain("--max-memory");
    }
  });
});

describe("--max-memory", () => {
  test("1K refuses a small model, naming the budget; 64M accepts it", async () => {
    const dir = testDir("qr-mem-");
    // input and output of 16·16·4 int32 words: 2 · 4 KiB of golden tensors
    const file = writeModel(dir, reluOn(16, 16, 4));
    const small = await timed(["check", file, "--max-memory", "1K"]);
    expectRefused(small);
    expect(small.stderr).toContain(
      "/input: the input 16×16×4 as Int32Array takes, with the weights, 4.0 KiB, above the memory budget 1.0 KiB (--max-memory 1K)",
    );
    const enough = await timed(["check", file, "--max-memory", "64M"]);
    expect(enough.status, enough.stderr).toBe(0);
    expect(enough.stdout).toMatch(/^ok$/m);
  });

  test("gen counts its test vectors: 1000 vectors of a 256×256×8 relu exceed 1G, one vector exceeds 1M and fits 1G", async () => {
    const dir = testDir("qr-vec-");
    const file = writeModel(dir, reluOn(256, 256, 8));
    // 1000 · 2 tensors · 524288 elements · 4 bytes = 3.9 GiB of golden tensors, above 1G
    const r = await timed(["gen", file, "--out", join(dir, "out"), "--vectors", "1000", "--max-memory", "1G"]);
    expectRefused(r);
    expect(r.stderr).toContain("1000 vectors");
    expect(r.stderr).toContain("memory budget 1.0 GiB");
    const one = await timed(["gen", file, "--out", join(dir, "out"), "--vectors", "1", "--max-memory", "1M"]);
    // 1 · 2 · 2 MiB of golden tensors is 4 MiB: even one vector is above 1M
    expectRefused(one);
    const fits = await timed(["gen", file, "--out", join(dir, "out"), "--vectors", "1", "--max-memory", "1G"]);
    expect(fits.status, fits.stderr).toBe(0);
  });

  for (const bad of ["lots", "12Q", "0", "-5M", "1.5.2G"]) {
    test(`a malformed value "${bad}" is refused, naming the flag and a valid form`, async () => {
      const dir = testDir("qr-badmem-");
      const r = await timed(["check", writeModel(dir, conv(new Array(54).fill(1))), "--max-memory", bad]);
      expectRefused(r);
      expect(r.stderr).toContain("--max-memory");
      expect(r.stderr).toContain("512M");
    });
  }
});

describe("an unexpected error", () => {
  /** A preload that makes `check` throw a RangeError when it prints the model line: a stand-in for a bug no input check foresaw. */
  function injectFault(dir: string): string {
    const hook = join(dir, "break.mjs");
    const code = [
      "const log = console.log;",
      'console.log = (...a) => { if (String(a[0]).startsWith("model ")) throw new RangeError("injected fault 0x51"); return log(...a); };',
    ];
    writeFileSync(hook, code.join("\n") + "\n");
    return pathToFileURL(hook).href;
  }

  test("prints one line 'quantrtl: internal error: … (please report)' and exits 4, without a stack", async () => {
    const dir = testDir("qr-internal-");
    const model = writeModel(dir, conv(new Array(54).fill(1)));
    const r = await run(process.execPath, ["--import", injectFault(dir), CLI, "check", model], { timeoutMs: QUICK_MS });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toBe("quantrtl: internal error: RangeError: injected fault 0x51 (please report)\n");
  });

  test("shows the stack with QUANTRTL_DEBUG=1", async () => {
    const dir = testDir("qr-internal-dbg-");
    const model = writeModel(dir, conv(new Array(54).fill(1)));
    const r = await run("env", ["QUANTRTL_DEBUG=1", process.execPath, "--import", injectFault(dir), CLI, "check", model], { timeoutMs: QUICK_MS });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain("quantrtl: internal error: RangeError: injected fault 0x51 (please report)");
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
