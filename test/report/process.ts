/** Runs a command as a child process without blocking the vitest worker (spawn + promise, never spawnSync). */
import { spawn } from "node:child_process";

export interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs: number }): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr });
    });
  });
}

/** The command line and the tail of its output, for a failure message. */
export function describeRun(command: string, args: readonly string[], r: Run): string {
  const tailOf = (text: string) => text.trimEnd().split("\n").slice(-25).join("\n");
  return `${command} ${args.join(" ")}\nexit ${r.status ?? r.signal}\n--- stderr (tail) ---\n${tailOf(r.stderr)}\n--- stdout (tail) ---\n${tailOf(r.stdout)}`;
}
