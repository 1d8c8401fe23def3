/**
 * Stopping cleanly on a signal. A quantrtl run has tools running as child
 * processes (Yosys for hours on a big network, make with its compilers) and
 * temporary folders open; when it is sent SIGINT, SIGTERM or SIGHUP — Ctrl-C,
 * `kill <pid>`, a CI job cancelled, a terminal closed — the tools it started are
 * stopped and its temporary and staged folders removed before it exits with
 * 128 + the signal number, so nothing keeps running or is left half-written.
 *
 * Each tool runs in a process group of its own (`spawnTool`), so stopping it
 * stops what it started too (cc1plus under make). That also keeps a terminal's
 * Ctrl-C from reaching the tools directly: they are stopped by us, after which
 * quantrtl alone decides the exit code and the message.
 *
 * Library code registers what it starts (`spawnTool`, `trackFolder`). The
 * handlers are installed while anything is registered (so the API's long calls
 * are covered too) and for good by the command line (`stopCleanlyOnSignals`).
 */
import { ChildProcess, spawn, SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";

/** Running tools: a short name for the message, and whether the tool leads a process group of its own. */
const children = new Map<ChildProcess, { name: string; grouped: boolean }>();
/** Tools stopped because of a signal, and which: their exit is no result. */
const stoppedBySignal = new WeakMap<ChildProcess, NodeJS.Signals>();
const folders = new Set<string>();

/** Process groups only where POSIX has them. */
const GROUPS = process.platform !== "win32";
/** How long a stopped tool gets to exit on SIGTERM before it is sent SIGKILL. */
export const STOP_GRACE_MS = 2000;

/** The signal quantrtl is exiting on, once one has arrived (not set when the host program has a handler of its own and goes on). */
let exitingOnSignal: NodeJS.Signals | undefined;

/** The signal quantrtl is exiting on, if any: no tool may start, and no result may be reported. */
export function exitingOn(): NodeJS.Signals | undefined {
  return exitingOnSignal;
}

/**
 * Starts a tool in a process group of its own and registers it (with a short name
 * for the message) until it exits. stdio works as with `spawn`.
 */
export function spawnTool(command: string, args: readonly string[], options: SpawnOptions, name: string): ChildProcess {
  const child = spawn(command, args, { ...options, detached: GROUPS });
  register(child, name, GROUPS);
  return child;
}

/** Registers a running child process started elsewhere (it is stopped alone, not as a group) until it exits. */
export function trackChild(child: ChildProcess, name: string): void {
  register(child, name, false);
}

/** The signal a tool was stopped on by quantrtl, if it was. */
export function stoppedBy(child: ChildProcess): NodeJS.Signals | undefined {
  return stoppedBySignal.get(child);
}

function register(child: ChildProcess, name: string, grouped: boolean): void {
  children.set(child, { name, grouped });
  armHandlers();
  const forget = () => {
    children.delete(child);
    disarmHandlersIfIdle();
  };
  child.once("exit", forget);
  child.once("error", forget); // could not start: there will be no exit
}

/** Registers a folder to remove on a signal. */
export function trackFolder(path: string): void {
  folders.add(path);
  armHandlers();
}

/** Forgets a folder (renamed into place, or removed by its owner). */
export function forgetFolder(path: string): void {
  folders.delete(path);
  disarmHandlersIfIdle();
}

function running(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` to a tool's whole process group (or to the tool alone when it has none). */
function signalGroup(child: ChildProcess, grouped: boolean, signal: NodeJS.Signals): void {
  try {
    if (grouped) process.kill(-child.pid!, signal);
    else child.kill(signal);
  } catch {
    // the group is gone already
  }
}

/** Whether any process of group `pgid` is still running (zombies waiting to be reaped do not count). */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    // no /proc: ask the kernel (a zombie leader counts as alive until node reaps it)
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(group) === pgid && state !== "Z" && state !== "X") return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

/** Stopped tools: their names and the groups (or lone pids) to watch until they are gone. */
interface Stopping {
  readonly names: string[];
  readonly groups: number[];
  readonly loners: ChildProcess[];
}

/** Sends SIGTERM to every running tool's group (marking them stopped on `signal`, when one is the reason). */
function signalAll(signal?: NodeJS.Signals): Stopping {
  const stopped: Stopping = { names: [], groups: [], loners: [] };
  for (const [child, { name, grouped }] of children) {
    if (!running(child)) continue;
    if (signal) stoppedBySignal.set(child, signal);
    signalGroup(child, grouped, "SIGTERM");
    stopped.names.push(name);
    if (grouped) stopped.groups.push(child.pid!);
    else stopped.loners.push(child);
  }
  children.clear();
  return stopped;
}

const gone = (s: Stopping) => s.groups.every((g) => !groupAlive(g)) && s.loners.every((c) => !running(c));

function killLeft(s: Stopping): void {
  for (const g of s.groups) {
    try {
      if (groupAlive(g)) process.kill(-g, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  for (const c of s.loners) if (running(c)) c.kill("SIGKILL");
}

async function waitGone(s: Stopping, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!gone(s)) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** The same, blocking (for the exit path, where no callback runs any more). */
function waitGoneSync(s: Stopping, ms: number): boolean {
  const end = Date.now() + ms;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!gone(s)) {
    if (Date.now() >= end) return false;
    Atomics.wait(pause, 0, 0, 25);
  }
  return true;
}

/** Removes the tracked folders (or those of `only` still tracked). */
function removeFolders(only?: readonly string[]): string[] {
  const removed = only ? only.filter((path) => folders.has(path)) : [...folders];
  for (const path of removed) {
    rmSync(path, { recursive: true, force: true });
    folders.delete(path);
  }
  return removed;
}

/**
 * Stops the tracked tools (SIGTERM to each group, SIGKILL to what is left after
 * STOP_GRACE_MS), then removes the tracked folders (after the tools, which could
 * still be writing into them); returns what it did, for the message.
 */
export async function cleanUpNow(graceMs = STOP_GRACE_MS): Promise<{ stopped: string[]; removed: string[] }> {
  const stopped = signalAll();
  if (!(await waitGone(stopped, graceMs))) {
    killLeft(stopped);
    await waitGone(stopped, 1000);
  }
  return { stopped: stopped.names, removed: removeFolders() };
}

/** Stops a single tool's group (a timeout): SIGTERM, then SIGKILL if it is still there after the grace period. */
export function stopTool(child: ChildProcess, graceMs = STOP_GRACE_MS): void {
  const grouped = children.get(child)?.grouped ?? false;
  signalGroup(child, grouped, "SIGTERM");
  setTimeout(() => {
    if (grouped ? groupAlive(child.pid!) : running(child)) signalGroup(child, grouped, "SIGKILL");
  }, graceMs).unref();
}

const SIGNALS: readonly [NodeJS.Signals, number][] = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
];

export function interruptMessage(signal: NodeJS.Signals, stopped: readonly string[], removed: readonly string[]): string {
  // an --out lock (util/output.ts) is a file, not a folder: said apart
  const folders = removed.filter((path) => !path.endsWith(".lock")).length;
  const parts = [
    stopped.length ? `stopped ${stopped.join(", ")}` : "",
    folders ? `removed ${folders} temporary folder${folders === 1 ? "" : "s"}` : "",
    folders < removed.length ? "released the --out lock" : "",
  ].filter(Boolean);
  return `quantrtl: interrupted by ${signal}${parts.length ? `; ${parts.join(", ")}` : ""}\n`;
}

let write: (line: string) => void = (line) => process.stderr.write(line);
let permanent = false;
let armed = false;
/** The tools stopped on the signal being handled (a second signal kills what is left of them). */
let beingStopped: Stopping | undefined;

const handlers = new Map<NodeJS.Signals, () => void>(
  SIGNALS.map(([signal, number]) => [
    signal,
    () => {
      if (exitingOnSignal) {
        // a second Ctrl-C: no more grace for the tools
        if (beingStopped) killLeft(beingStopped);
        return;
      }
      // a host program with its own handler for the signal decides whether to exit and may go on
      // working: we stop what was running and remove what existed, and say nothing
      const exiting = process.listenerCount(signal) === 1;
      if (exiting) exitingOnSignal = signal;
      const existing = exiting ? undefined : [...folders];
      const stopped = signalAll(signal);
      if (exiting) beingStopped = stopped;
      const finish = () => {
        const removed = removeFolders(existing);
        if (!exiting) return disarmHandlersIfIdle();
        write(interruptMessage(signal, stopped.names, removed));
        process.exit(128 + number);
      };
      // with no tool running, everything happens now, before any other callback could print a result
      if (gone(stopped)) return finish();
      void waitGone(stopped, STOP_GRACE_MS)
        .then((ok) => {
          if (ok) return;
          killLeft(stopped);
          return waitGone(stopped, 1000).then(() => undefined);
        })
        .then(finish);
    },
  ]),
);

/** Whenever node exits with tools still running (an error, a process.exit elsewhere), their groups are stopped first. */
function onExit(): void {
  const stopped = signalAll();
  if (!waitGoneSync(stopped, STOP_GRACE_MS / 2)) killLeft(stopped);
  if (exitingOnSignal) removeFolders();
}

function armHandlers(): void {
  if (armed) return;
  armed = true;
  for (const [signal, handler] of handlers) process.on(signal, handler);
  process.on("exit", onExit);
}

function disarmHandlersIfIdle(): void {
  if (!armed || permanent || exitingOnSignal || children.size > 0 || folders.size > 0) return;
  armed = false;
  for (const [signal, handler] of handlers) process.off(signal, handler);
  process.off("exit", onExit);
}

/** Installs the signal handlers for the rest of the process (the command line; idempotent). */
export function stopCleanlyOnSignals(writeLine?: (line: string) => void): void {
  if (writeLine) write = writeLine;
  permanent = true;
  armHandlers();
}
