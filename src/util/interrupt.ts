/**
 * Stopping cleanly on a signal. A quantrtl run has tools running as child
 * processes (Yosys for hours on a big network) and temporary folders open; when
 * it is sent SIGINT, SIGTERM or SIGHUP — `kill <pid>`, a CI job cancelled, a
 * terminal closed — the tools it started are stopped and its temporary and
 * staged folders removed before it exits with 128 + the signal number, so
 * nothing keeps running or is left half-written. (A signal's default action
 * would end node alone: Yosys would run on, orphaned, and its folder stay.)
 *
 * Library code registers what it starts (`trackChild`, `trackFolder`); the
 * command-line entry points call `stopCleanlyOnSignals` once.
 */
import { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

const children = new Map<ChildProcess, string>();
const folders = new Set<string>();

/** Registers a running tool (with a short name for the message) until it exits. */
export function trackChild(child: ChildProcess, name: string): void {
  children.set(child, name);
  child.once("exit", () => children.delete(child));
}

/** Registers a folder to remove on a signal. */
export function trackFolder(path: string): void {
  folders.add(path);
}

/** Forgets a folder (renamed into place, or removed by its owner). */
export function forgetFolder(path: string): void {
  folders.delete(path);
}

const SIGNALS: readonly [NodeJS.Signals, number][] = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
];

/** Stops the tracked tools and removes the tracked folders; returns what it did, for the message. */
export function cleanUpNow(): { stopped: string[]; removed: string[] } {
  const stopped: string[] = [];
  for (const [child, name] of children) {
    if (child.exitCode === null && child.signalCode === null && child.kill("SIGTERM")) stopped.push(name);
  }
  children.clear();
  const removed = [...folders];
  for (const path of removed) rmSync(path, { recursive: true, force: true });
  folders.clear();
  return { stopped, removed };
}

let installed = false;

/** Installs the signal handlers (once per process). */
export function stopCleanlyOnSignals(write: (line: string) => void = (line) => process.stderr.write(line)): void {
  if (installed) return;
  installed = true;
  for (const [signal, number] of SIGNALS) {
    process.once(signal, () => {
      const { stopped, removed } = cleanUpNow();
      const parts = [
        stopped.length ? `stopped ${stopped.join(", ")}` : "",
        removed.length ? `removed ${removed.length} temporary folder${removed.length === 1 ? "" : "s"}` : "",
      ].filter(Boolean);
      write(`quantrtl: interrupted by ${signal}${parts.length ? `; ${parts.join(", ")}` : ""}\n`);
      process.exit(128 + number);
    });
  }
}
