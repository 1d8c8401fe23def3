/**
 * Runs the CLI as users do, through bin/quantrtl (which runs dist/src/cli/main.js, built
 * once by test/global-setup.ts), as a
 * child process without blocking the test worker's event loop (src/util/process.ts run).
 */
import { run } from "../../src/util/process.js";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(ROOT, "bin", "quantrtl");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  const r = await run(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, timeoutMs: options.timeoutMs ?? 300_000 });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}
