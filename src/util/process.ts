/** Running external tools (Verilator, Icarus): found on PATH or reported as a ToolError. */
import { spawnSync } from "node:child_process";
import { basename } from "node:path";
import { ToolError, tail } from "./errors.js";
import { exitingOn, spawnTool, stopTool, stoppedBy } from "./interrupt.js";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

const INSTALL_HINT: Record<string, string> = {
  verilator: "install it with `npm run setup` (apt-get install verilator)",
  iverilog: "install it with `npm run setup` (apt-get install iverilog)",
  vvp: "install it with `npm run setup` (apt-get install iverilog)",
};

export function requireTool(name: string): void {
  if (!hasTool(name)) throw new ToolError(name, `not found on PATH; ${INSTALL_HINT[name] ?? "install it"}`);
}

export function toolVersion(name: string, args: string[] = ["--version"]): string {
  const r = spawnSync(name, args, { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0];
}

/**
 * Runs a command in a process group of its own (util/interrupt.ts), collecting
 * its output; rejects only when it cannot start. A tool stopped because quantrtl
 * was sent a signal gives no result: while quantrtl exits the promise stays
 * pending (nothing may print a verdict from a killed tool), and no new tool
 * starts; a host program that goes on after the signal gets a ToolError.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; /** Each complete line of standard output as it comes (progress). */ onLine?: (line: string) => void } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    if (exitingOn()) return;
    const name =
      command === process.execPath
        ? args
            .slice(0, 2)
            .map((a) => basename(a))
            .join(" ")
        : basename(command);
    const child = spawnTool(command, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] }, name);
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout!.on("data", (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      if (!options.onLine) return;
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      for (const line of lines) options.onLine(line);
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => stopTool(child), options.timeoutMs) : undefined;
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      reject(new ToolError(command, `could not start (${err.message})`, [command, ...args].join(" ")));
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (options.onLine && pending !== "") options.onLine(pending);
      const stoppedOn = stoppedBy(child);
      if (stoppedOn) {
        if (!exitingOn()) reject(new ToolError(command, `stopped on ${stoppedOn}`, [command, ...args].join(" ")));
        return;
      }
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Runs a command and throws a ToolError with the tail of its output when it fails. */
export async function runChecked(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; what: string }): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    throw new ToolError(command, `${options.what} failed (exit ${r.code})`, [command, ...args].join(" "), tail(r.stdout + r.stderr));
  }
  return r;
}
