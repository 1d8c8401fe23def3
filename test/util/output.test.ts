/**
 * The safe output mechanism (src/util/output.ts, stageDir in src/util/atomic.ts):
 * what an output path may be, the lock, the replacement, and errors that name --out.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { stageDir } from "../../src/util/atomic.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { checkOutput, claimOutputRoot, isMountPoint, lockOutput, lockPath, MARKER, outputError } from "../../src/util/output.js";
import { testDir } from "../helpers/temp.js";

/** The QuantrtlError `fn` throws (fails the test if it throws nothing or something else). */
function refusal(fn: () => unknown): QuantrtlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QuantrtlError);
    return err as QuantrtlError;
  }
  throw new Error("expected a QuantrtlError, nothing was thrown");
}

/** A pid that is not running: a child's, after it exited. */
function deadPid(): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["-e", ""]);
    child.on("exit", () => done(child.pid!));
  });
}

describe("checkOutput", () => {
  test("missing, empty and marked folders are accepted; a user's folder, a file and a link are refused unless force", () => {
    const root = testDir("quantrtl-output-");
    expect(checkOutput(join(root, "new", "deeper")).state).toBe("missing");
    mkdirSync(join(root, "empty"));
    expect(checkOutput(join(root, "empty")).state).toBe("empty");
    mkdirSync(join(root, "ours"));
    writeFileSync(join(root, "ours", MARKER), "{}\n");
    writeFileSync(join(root, "ours", "anything"), "");
    expect(checkOutput(join(root, "ours")).state).toBe("ours");

    mkdirSync(join(root, "user"));
    writeFileSync(join(root, "user", "thesis.tex"), "");
    const e = refusal(() => checkOutput(join(root, "user")));
    expect(e.path).toBe("--out");
    expect(e.problem).toContain("thesis.tex");
    expect(checkOutput(join(root, "user"), { force: true }).state).toBe("forced");

    writeFileSync(join(root, "file"), "");
    expect(refusal(() => checkOutput(join(root, "file"))).problem).toContain("is a file");
    symlinkSync(join(root, "empty"), join(root, "link"));
    expect(refusal(() => checkOutput(join(root, "link"))).problem).toContain("symbolic link");
    expect(checkOutput(join(root, "file"), { force: true }).state).toBe("forced");
  });

  test("knownFiles: a folder holding only those (no marker) is an earlier output; one more file is not", () => {
    const root = testDir("quantrtl-output-");
    writeFileSync(join(root, "report.json"), "{}");
    expect(checkOutput(root, { knownFiles: ["report.json", "report.md"] }).state).toBe("ours");
    writeFileSync(join(root, "notes.md"), "");
    expect(() => checkOutput(root, { knownFiles: ["report.json", "report.md"] })).toThrow(/notes\.md/);
  });

  test("/, the working folder, its parents, the model file and its folders are refused even with force", () => {
    const root = testDir("quantrtl-output-");
    const model = join(root, "models", "m.json");
    mkdirSync(join(root, "models"));
    writeFileSync(model, "{}");
    const options = { force: true, protect: [model], flag: "--out" };
    expect(refusal(() => checkOutput("/", options)).problem).toContain("file-system root");
    expect(refusal(() => checkOutput(".", options)).problem).toContain("the working folder");
    expect(refusal(() => checkOutput("..", options)).problem).toContain("a parent of the working folder");
    expect(refusal(() => checkOutput(model, options)).problem).toContain("the model file");
    expect(refusal(() => checkOutput(join(root, "models"), options)).problem).toContain("the model's folder");
    expect(refusal(() => checkOutput(root, options)).problem).toContain("a parent of the model file");
    // a folder beside the model is fine
    expect(checkOutput(join(root, "models", "out"), options).state).toBe("missing");
  });

  test("pseudo file systems are refused; /proc is a mount point, a temp folder is not", () => {
    for (const p of ["/proc/x", "/sys/kernel/x", "/dev/null"]) expect(refusal(() => checkOutput(p, { force: true })).problem).toContain("pseudo file system");
    expect(isMountPoint("/proc")).toBe(true);
    expect(isMountPoint(testDir("quantrtl-output-"))).toBe(false);
  });

  test("a path through a regular file: ENOTDIR naming the file", () => {
    const root = testDir("quantrtl-output-");
    writeFileSync(join(root, "f"), "");
    const e = refusal(() => checkOutput(join(root, "f", "a", "b")));
    expect(e.problem).toContain("ENOTDIR");
    expect(e.problem).toContain(`${join(root, "f")} is a file`);
  });
});

describe("lockOutput", () => {
  test("a second lock is refused naming the holder's pid; release frees it", () => {
    const root = testDir("quantrtl-output-");
    const out = join(root, "d");
    const release = lockOutput(out);
    expect(readFileSync(lockPath(out), "utf8")).toBe(`${process.pid}\n`);
    expect(refusal(() => lockOutput(out)).problem).toContain(`pid ${process.pid}`);
    release();
    expect(existsSync(lockPath(out))).toBe(false);
    lockOutput(out)();
  });

  test("a lock of a process that is gone is taken over", async () => {
    const root = testDir("quantrtl-output-");
    const out = join(root, "d");
    writeFileSync(lockPath(out), `${await deadPid()}\n`);
    const release = lockOutput(out);
    expect(readFileSync(lockPath(out), "utf8")).toBe(`${process.pid}\n`);
    release();
  });
});

describe("stageDir", () => {
  test("commit replaces quantrtl's earlier output whole and leaves nothing beside it", () => {
    const root = testDir("quantrtl-output-");
    const out = join(root, "d");
    const first = stageDir(out);
    writeFileSync(join(first.path, "old.v"), "");
    first.commit();
    const second = stageDir(out);
    writeFileSync(join(second.path, "new.v"), "");
    expect(second.commit()).toBe(out);
    expect(readdirSync(out).sort()).toEqual([MARKER, "new.v"]);
    expect(readdirSync(root)).toEqual(["d"]);
  });

  test("a user's folder is refused before anything is created, and kept", () => {
    const root = testDir("quantrtl-output-");
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "d", "keep"), "x");
    expect(() => stageDir(join(root, "d"))).toThrow(/keep/);
    expect(readdirSync(root)).toEqual(["d"]);
    expect(readdirSync(join(root, "d"))).toEqual(["keep"]);
  });

  test("a user's file put at the destination during the run is not replaced at commit", () => {
    const root = testDir("quantrtl-output-");
    const staged = stageDir(join(root, "d"));
    writeFileSync(join(root, "d"), "written by the user meanwhile");
    expect(() => staged.commit()).toThrow(QuantrtlError);
    staged.discard();
    expect(readFileSync(join(root, "d"), "utf8")).toBe("written by the user meanwhile");
    expect(readdirSync(root)).toEqual(["d"]);
  });

  test("discard removes the staged folder and the lock; explain turns only errors under the output into --out errors", () => {
    const root = testDir("quantrtl-output-");
    const staged = stageDir(join(root, "d"));
    let inside: unknown;
    try {
      writeFileSync(join(staged.path, "missing-folder", "x"), "");
    } catch (err) {
      inside = err;
    }
    const explained = staged.explain(inside);
    expect(explained).toBeInstanceOf(QuantrtlError);
    expect((explained as QuantrtlError).message).toMatch(/^--out: cannot write .*: ENOENT/);
    const elsewhere = Object.assign(new Error("x"), { code: "ENOENT", path: "/somewhere/else" });
    expect(staged.explain(elsewhere)).toBe(elsewhere);
    staged.discard();
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("claimOutputRoot", () => {
  test("creates and marks the folder; a run that wrote nothing leaves no folder behind", () => {
    const root = testDir("quantrtl-output-");
    const claim = claimOutputRoot(join(root, "b"));
    expect(readdirSync(join(root, "b"))).toEqual([MARKER]);
    expect(() => claimOutputRoot(join(root, "b"))).toThrow(/another quantrtl run/);
    claim.release();
    expect(readdirSync(root)).toEqual([]);
  });

  test("subfolders staged inside a claimed folder are replaced on the next run", () => {
    const root = testDir("quantrtl-output-");
    for (const name of ["first.v", "second.v"]) {
      const claim = claimOutputRoot(join(root, "b"));
      const sub = stageDir(join(claim.path, "verilator"));
      writeFileSync(join(sub.path, name), "");
      sub.commit();
      claim.release();
    }
    expect(readdirSync(join(root, "b")).sort()).toEqual([MARKER, "verilator"]);
    expect(readdirSync(join(root, "b", "verilator")).sort()).toEqual([MARKER, "second.v"]);
  });

  test("force replaces a user's folder by an empty marked one", () => {
    const root = testDir("quantrtl-output-");
    mkdirSync(join(root, "b"));
    writeFileSync(join(root, "b", "keep"), "x");
    expect(() => claimOutputRoot(join(root, "b"))).toThrow(/keep/);
    const claim = claimOutputRoot(join(root, "b"), { force: true });
    expect(readdirSync(join(root, "b"))).toEqual([MARKER]);
    claim.release();
    expect(readdirSync(root)).toEqual(["b"]);
  });
});

test("outputError: an OS error as one line naming the flag, the path and the reason; other errors unchanged", () => {
  const e = outputError(Object.assign(new Error("EROFS: read-only file system, mkdir '/ro/x'"), { code: "EROFS", syscall: "mkdir", path: "/ro/x" }), "/ro/x");
  expect(e).toBeInstanceOf(QuantrtlError);
  expect((e as QuantrtlError).message.split("\n")[0]).toBe("--out: cannot write /ro/x: EROFS, read-only file system");
  const plain = new Error("not a file-system error");
  expect(outputError(plain, "/x")).toBe(plain);
});
