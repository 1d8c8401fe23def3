/**
 * Output folders that never destroy what quantrtl did not write. An output
 * path may be missing (it is created), an empty folder, or a folder quantrtl
 * wrote before (it carries MARKER); anything else — a user's non-empty folder,
 * a file — is refused unless `force`, and some paths are refused even then:
 * the file-system root, the working folder and its parents, a protected file
 * (the model), its folder and that folder's parents, mount points and pseudo
 * file systems (/proc, /sys, /dev). A lock file beside the path keeps two runs
 * from writing it at once. File-system errors become QuantrtlErrors naming the
 * flag, the path and the OS reason. stageDir (util/atomic.ts) builds on this.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { QuantrtlError } from "./errors.js";
import { forgetFolder, trackFolder } from "./interrupt.js";
import { packageVersion } from "./paths.js";

/** The file quantrtl writes into every output folder it creates: the sign that the folder is quantrtl's to replace. */
export const MARKER = ".quantrtl-out.json";

export interface OutputOptions {
  /** The flag (or parameter) named in messages; default "--out". */
  readonly flag?: string;
  /** Replace what is there even if quantrtl did not write it (never the paths refused always). */
  readonly force?: boolean;
  /** Files (the model) that are never replaced, nor their folders or those folders' parents. */
  readonly protect?: readonly string[];
  /** Names a folder without MARKER may hold and still count as this writer's earlier output (folders written before the marker existed). */
  readonly knownFiles?: readonly string[];
  /** Write MARKER into the folder (default true). */
  readonly marker?: boolean;
  /** What MARKER records besides the generator, e.g. the model's name and hash. */
  readonly owner?: Readonly<Record<string, string>>;
}

/** What is at an accepted output path: nothing, an empty folder, quantrtl's earlier output, or something else the user chose to replace. */
export type OutputState = "missing" | "empty" | "ours" | "forced";

const flagOf = (options: OutputOptions): string => options.flag ?? "--out";

/** The OS reasons, in words, of the errors an output path can meet. */
const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EBUSY: "busy (a mount point?)",
  EXDEV: "on another file system",
  EISDIR: "is a folder",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EIO: "input/output error",
  ENOENT: "no such file or folder",
};

function errnoOf(err: unknown): NodeJS.ErrnoException | undefined {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string" ? (err as NodeJS.ErrnoException) : undefined;
}

/** A file-system error on an output path as a one-line user error: the flag, the path and the OS reason. */
export function outputError(err: unknown, path: string, options: OutputOptions = {}): unknown {
  const e = errnoOf(err);
  if (!e || err instanceof QuantrtlError) return err;
  const code = e.code ?? "";
  const where = typeof e.path === "string" && e.path !== path ? ` (${e.syscall ?? "at"} ${e.path})` : "";
  return new QuantrtlError(
    undefined,
    flagOf(options),
    `cannot write ${path}: ${code}, ${REASONS[code] ?? e.message}${where}`,
    "give a folder you can write to, e.g. --out out/<name>",
  );
}

/** Whether `path` is `parent` or inside it. */
export function isInside(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** Magic numbers (statfs f_type) of Linux pseudo file systems, where an output folder makes no sense and writes can hang. */
const PSEUDO_FS = new Set([
  0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x27e0eb /* cgroup */,
  0x63677270 /* cgroup2 */, 0x73636673 /* securityfs */, 0xcafe4a11 /* bpf */, 0x42494e4d /* binfmt_misc */,
]);
const PSEUDO_ROOTS = ["/proc", "/sys", "/dev"];

/** The nearest part of `path` that exists (path itself, a parent, or "/"). */
function existingAncestor(path: string): string {
  let p = path;
  for (;;) {
    try {
      lstatSync(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

function refusePseudo(path: string, options: OutputOptions): void {
  const root = PSEUDO_ROOTS.find((r) => isInside(path, r));
  let pseudo = root !== undefined;
  if (!pseudo) {
    try {
      pseudo = PSEUDO_FS.has(Number(statfsSync(existingAncestor(path)).type));
    } catch {
      // no statfs answer: the writes below report their own errors
    }
  }
  if (pseudo) {
    throw new QuantrtlError(
      undefined,
      flagOf(options),
      `${path} is on a pseudo file system (${root ?? "kernel"}), not a place for output files`,
      "give a folder on a disk, e.g. --out out/<name>",
    );
  }
}

/** Whether the folder `path` is a mount point: another device than its parent, the root, or listed in the mount table (a bind mount keeps the device). */
export function isMountPoint(path: string): boolean {
  const parent = dirname(path);
  if (parent === path) return true;
  const a = statSync(path);
  const b = statSync(parent);
  if (a.dev !== b.dev || a.ino === b.ino) return true;
  return mountPoints().has(realOrSelf(path));
}

/** Mount points from /proc/self/mountinfo (field 5; spaces and the like octal-escaped), empty where there is none. */
function mountPoints(): Set<string> {
  try {
    const lines = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
    return new Set(lines.filter(Boolean).map((l) => l.split(" ")[4].replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)))));
  } catch {
    return new Set();
  }
}

/** The paths never replaced, with the words that say what each is. */
function protectedPaths(options: OutputOptions): { path: string; what: string }[] {
  const list: { path: string; what: string }[] = [];
  const withParents = (start: string, self: string, parents: string) => {
    for (let p = start, first = true; ; first = false) {
      list.push({ path: p, what: first ? self : parents });
      const up = dirname(p);
      if (up === p) break;
      p = up;
    }
  };
  for (const cwd of new Set([process.cwd(), realOrSelf(process.cwd())])) withParents(cwd, "the working folder", "a parent of the working folder");
  for (const file of options.protect ?? []) {
    for (const f of new Set([resolve(file), realOrSelf(resolve(file))])) {
      list.push({ path: f, what: "the model file" });
      withParents(dirname(f), "the model's folder", "a parent of the model file");
    }
  }
  return list;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

function refuseProtected(path: string, options: OutputOptions): void {
  const candidates = new Set([path, realOrSelf(path)]);
  if ([...candidates].some((p) => dirname(p) === p)) {
    throw new QuantrtlError(
      undefined,
      flagOf(options),
      `${path} is the file-system root and is never replaced, not even with --force`,
      "give a new folder for the output, e.g. --out out/<name>",
    );
  }
  const hit = protectedPaths(options).find((p) => candidates.has(p.path));
  if (hit) {
    throw new QuantrtlError(
      undefined,
      flagOf(options),
      `${path} is ${hit.what} and is never replaced, not even with --force`,
      "give a new folder for the output, e.g. --out out/<name>",
    );
  }
}

function describeEntries(entries: readonly string[]): string {
  return `${entries.slice(0, 3).join(", ")}${entries.length > 3 ? `, … ${entries.length} entries` : ""}`;
}

/**
 * Checks that `destination` may be written as an output folder and says what
 * is there; throws a QuantrtlError naming the flag otherwise. Touches nothing.
 */
export function checkOutput(destination: string, options: OutputOptions = {}): { path: string; state: OutputState } {
  const flag = flagOf(options);
  const path = resolve(destination);
  refusePseudo(path, options);
  refuseProtected(path, options);
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    const code = errnoOf(err)?.code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw outputError(err, path, options);
    const above = existingAncestor(path);
    let folder = false;
    try {
      folder = statSync(above).isDirectory();
    } catch {
      // a dangling link: not a folder
    }
    if (!folder)
      throw new QuantrtlError(
        undefined,
        flag,
        `cannot write ${path}: ENOTDIR, ${above} is a file, not a folder`,
        "give a folder path that does not pass through a file",
      );
    return { path, state: "missing" };
  }
  if (st.isDirectory()) {
    if (isMountPoint(path)) {
      throw new QuantrtlError(
        undefined,
        flag,
        `${path} is a mount point, which quantrtl cannot replace`,
        `give a folder inside it, e.g. --out ${join(path, "out")}`,
      );
    }
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch (err) {
      throw outputError(err, path, options);
    }
    if (entries.length === 0) return { path, state: "empty" };
    const known = new Set([MARKER, ...(options.knownFiles ?? [])]);
    if (entries.includes(MARKER) || (options.knownFiles !== undefined && entries.every((e) => known.has(e)))) return { path, state: "ours" };
    if (options.force) return { path, state: "forced" };
    throw new QuantrtlError(
      undefined,
      flag,
      `${path} holds other files (${describeEntries(entries)}) that quantrtl did not write`,
      `give a new or empty folder, or add --force to replace the folder and everything in it`,
    );
  }
  if (options.force) return { path, state: "forced" };
  const what = st.isSymbolicLink() ? "a symbolic link" : st.isFile() ? "a file" : "not a folder";
  throw new QuantrtlError(undefined, flag, `${path} is ${what}, not a folder quantrtl wrote`, "give a new or empty folder, or add --force to replace it");
}

/** Creates the folders above `path`; errors name the flag. */
export function makeParent(path: string, options: OutputOptions = {}): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw outputError(err, path, options);
  }
}

/** Writes MARKER into `folder`: quantrtl wrote it, for which model, with which version. */
export function writeMarker(folder: string, options: OutputOptions = {}): void {
  if (options.marker === false) return;
  const doc = { generator: "quantrtl", version: packageVersion(), ...options.owner, written: new Date().toISOString() };
  writeFileSync(join(folder, MARKER), JSON.stringify(doc, null, 2) + "\n");
}

/** Whether process `pid` is running (EPERM: it is, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err)?.code === "EPERM";
  }
}

/** The lock file of an output path: beside it, so the path itself can be renamed. */
export function lockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

/**
 * Takes the lock of output `path` (an exclusive-create file holding our pid);
 * returns its release. A lock held by a running process is refused with its
 * pid; one left by a process that is gone is taken over.
 */
export function lockOutput(path: string, options: OutputOptions = {}): () => void {
  const lock = lockPath(path);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      trackFolder(lock); // removed on a signal too
      return () => {
        rmSync(lock, { force: true });
        forgetFolder(lock);
      };
    } catch (err) {
      if (errnoOf(err)?.code !== "EEXIST") throw outputError(err, path, options);
    }
    let text: string;
    let age: number;
    try {
      text = readFileSync(lock, "utf8").trim();
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile: try again
    }
    const pid = /^\d+$/.test(text) ? Number(text) : undefined;
    // a lock without a pid is being written right now, unless it is old
    const held = pid !== undefined ? alive(pid) : age < 10_000;
    if (held) {
      throw new QuantrtlError(
        undefined,
        flagOf(options),
        `${path} is being written by another quantrtl run (${pid !== undefined ? `pid ${pid}` : "pid not yet known"}; lock file ${lock})`,
        `wait for it to finish, or delete ${lock} if no quantrtl run holds it`,
      );
    }
    rmSync(lock, { force: true }); // stale: its process is gone
  }
  throw new QuantrtlError(undefined, flagOf(options), `${path} is being written by another quantrtl run (lock file ${lock})`, "wait for it to finish");
}

/**
 * Puts `incoming` (a folder beside `path`) in place of what is at `path`:
 * rename the old one away, rename the new one in, then remove the old one —
 * which checkOutput accepted as quantrtl's, empty, or forced. If the second
 * rename fails the old one is put back.
 */
export function replacePath(incoming: string, path: string, state: OutputState, options: OutputOptions = {}): void {
  if (dirname(path) === path) throw new QuantrtlError(undefined, flagOf(options), `${path} is the file-system root`, "never replaced");
  let old: string | undefined;
  try {
    if (state !== "missing") {
      old = join(dirname(path), `.${basename(path)}.old-${process.pid}-${Date.now()}`);
      renameSync(path, old);
    }
    renameSync(incoming, path);
  } catch (err) {
    if (old) {
      try {
        renameSync(old, path);
      } catch {
        // left as `old` beside the path: nothing is lost
      }
    }
    throw outputError(err, path, options);
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

export interface OutputRoot {
  /** Absolute path of the folder (it exists and carries MARKER). */
  readonly path: string;
  /** Releases the lock; removes the folder again if it was created and nothing but MARKER was written into it. */
  release(): void;
}

/**
 * Claims `destination` as the root of outputs written in parts (build: verilator/,
 * icarus/, report/, each staged and replaced on its own): checks it, locks it,
 * replaces a forced one by an empty folder, creates it and writes MARKER.
 */
export function claimOutputRoot(destination: string, options: OutputOptions = {}): OutputRoot {
  const { path, state } = checkOutput(destination, options);
  makeParent(path, options);
  const unlock = lockOutput(path, options);
  try {
    const again = checkOutput(path, options).state; // may have changed before the lock was ours
    if (again === "forced") {
      const fresh = join(dirname(path), `.${basename(path)}.new-${process.pid}-${Date.now()}`);
      mkdirSync(fresh);
      replacePath(fresh, path, again, options);
    } else mkdirSync(path, { recursive: true });
    writeMarker(path, options);
  } catch (err) {
    unlock();
    throw outputError(err, path, options);
  }
  return {
    path,
    release() {
      unlock();
      try {
        // a run that wrote nothing leaves the path as it found it
        if (readdirSync(path).every((e) => e === MARKER)) {
          if (state === "missing") rmSync(path, { recursive: true, force: true });
          else if (state === "empty") rmSync(join(path, MARKER), { force: true });
        }
      } catch {
        // nothing to tidy
      }
    },
  };
}
